#pragma once

#include <string>

#include "common/http/server.h"
#include "sidecar/labels/ground_truth.h"

namespace mm::sidecar {

// Registers POST /v1/labels on the admin port: the body (application/json or
// application/x-ndjson) goes to GroundTruth::PostLabels. Callers authenticate with
// "Authorization: Bearer <token>" (CheckBearer, sidecar/admin/bearer_auth.h): 401
// without a bearer token, 403 with a wrong one. With no token configured every
// post is refused with 503 and a message saying how to configure one: labels are
// never open.
void RegisterLabelEndpoint(http::Server& server, GroundTruth* ground_truth, std::string token);

}  // namespace mm::sidecar
