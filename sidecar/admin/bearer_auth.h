#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/http/server.h"

namespace mm::sidecar {

// The admin port's bearer-token check, shared by every endpoint that needs one
// (POST /v1/labels: the label token; GET /v1/snapshot: the admin token).
struct BearerToken {
  std::string token;      // empty: the endpoint is refused (never open)
  std::string what;       // "label token", "admin token"
  std::string configure;  // how to set one, for the 503 message
};

// nullopt when `req` carries "Authorization: Bearer <token>" with the right
// token; else the answer to send: 503 when no token is configured, 401 (with
// WWW-Authenticate) without a bearer token, 403 with a wrong one. Tokens are
// compared in constant time.
std::optional<http::Response> CheckBearer(const http::Request& req, const BearerToken& expected);

}  // namespace mm::sidecar
