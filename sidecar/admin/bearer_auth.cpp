#include "sidecar/admin/bearer_auth.h"

#include "common/constant_time.h"

namespace mm::sidecar {

std::optional<http::Response> CheckBearer(const http::Request& req, const BearerToken& expected) {
  if (expected.token.empty()) {
    return http::Response::Error(
        503, "refused: no " + expected.what + " is configured (" + expected.configure + ")");
  }
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = req.Header("authorization");
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
    http::Response r = http::Response::Error(
        401, "missing credentials: send \"Authorization: Bearer <" + expected.what + ">\"");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (!ConstantTimeEquals(auth.substr(kBearer.size()), expected.token)) {
    return http::Response::Error(403, "the bearer token is not this monitor's " + expected.what);
  }
  return std::nullopt;
}

}  // namespace mm::sidecar
