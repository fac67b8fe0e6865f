#include "operator/webhook/admission_handler.h"

#include "common/log.h"

namespace mm::webhook {

http::Handler MakeAdmissionHandler(const PodMutator& mutator, AdmissionLimits limits) {
  return [&mutator, limits](const http::Request& req) {
    const std::string_view type = req.Header("content-type");
    if (!type.empty() && type.find("json") == std::string_view::npos) {
      return http::Response::Error(415, "content-type \"" + std::string(type.substr(0, 64)) +
                                            "\" is not supported (send application/json)");
    }
    auto request = DecodeAdmissionReview(req.body, limits);
    if (!request) {
      log::Warning("bad AdmissionReview refused",
                   {{"remote", req.remote_address}, {"error", request.error().message}});
      return http::Response::Error(400, request.error().message);
    }
    return http::Response::Json(200, EncodeAdmissionReview(mutator.Admit(request.value())));
  };
}

}  // namespace mm::webhook
