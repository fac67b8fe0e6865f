#include "sidecar/admin/label_endpoint.h"

#include "sidecar/admin/bearer_auth.h"

namespace mm::sidecar {

void RegisterLabelEndpoint(http::Server& server, GroundTruth* ground_truth, std::string token) {
  BearerToken expected{std::move(token), "label token",
                       "set --label-token-file or the MM_LABEL_TOKEN environment variable"};
  server.Handle("POST", "/v1/labels", [ground_truth, expected](const http::Request& req) {
    if (auto refused = CheckBearer(req, expected)) return *refused;
    const LabelHttpAnswer answer = ground_truth->PostLabels(req.body, req.Header("content-type"));
    return http::Response::Json(answer.status, answer.body);
  });
}

}  // namespace mm::sidecar
