#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http/client.h"
#include "operator/endpoints/sidecar_endpoints.h"

namespace mm::op {

struct FanoutOptions {
  // Each sidecar is tried until it acknowledges or this much time has passed
  // (a sidecar restarting mid-upload is back well within it: its store is on the
  // pod's volume and the pod keeps its IP).
  std::chrono::milliseconds deadline{10000};
  std::chrono::milliseconds per_attempt_timeout{5000};
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  size_t parallelism = 16;  // sidecars posted to at once
  // The transport (tests may count or break calls); default http::Send.
  std::function<Result<http::ClientResponse>(const http::ClientRequest&)> send;
};

// One sidecar's part of the fan-out.
struct SidecarResult {
  SidecarEndpoint endpoint;
  int attempts = 0;
  int status = 0;         // the sidecar's last HTTP status; 0: no answer
  nlohmann::json answer;  // its JSON answer (counts) when status is 2xx, else null
  std::string error;      // why it did not acknowledge; empty when it did
  bool acknowledged() const { return error.empty(); }
};

// Posts one label batch to every endpoint (POST /v1/labels with the label
// token), retrying transport errors, 429 and 5xx with jittered exponential
// backoff until the deadline; other 4xx answers are final. Idempotency on the
// sidecar (a label joined twice counts once) makes every retry safe.
std::vector<SidecarResult> FanOutLabels(const std::vector<SidecarEndpoint>& endpoints,
                                        const std::string& body, const std::string& content_type,
                                        const std::string& label_token,
                                        const FanoutOptions& options);

// The gateway's answer over all sidecars: received, joined, duplicate, expired,
// invalid, unknown (received − Σjoined − Σduplicate − Σexpired − invalid: a label
// is unknown on every pod but the one holding its prediction), errors, complete,
// and one entry per pod.
nlohmann::json SumLabelAnswers(const std::vector<SidecarResult>& results);

}  // namespace mm::op
