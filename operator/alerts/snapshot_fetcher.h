#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace mm::op {

// One sidecar's admin endpoint, as the pod's status and spec name it.
struct SidecarEndpoint {
  std::string pod;  // pod name, for reports
  std::string ip;   // status.podIP
  uint16_t admin_port = 0;
};

// Fetches one sidecar's GET /v1/snapshot. An interface so the collector can be
// tested without sockets; HttpSnapshotFetcher is the real one.
class SnapshotFetcher {
 public:
  virtual ~SnapshotFetcher() = default;
  // The decoded JSON body of a 200 answer, or an Error saying what went wrong
  // (connection refused, timeout, HTTP status and the sidecar's message).
  virtual Result<nlohmann::json> Fetch(const SidecarEndpoint& endpoint, int64_t since_unix,
                                       const std::string& bearer_token) = 0;
};

// Plain HTTP/1.1 over Boost.Beast, one connection per fetch, everything (connect,
// write, read) within `timeout`; answers larger than `max_body_bytes` are refused.
class HttpSnapshotFetcher : public SnapshotFetcher {
 public:
  explicit HttpSnapshotFetcher(std::chrono::milliseconds timeout, size_t max_body_bytes = 64u << 20)
      : timeout_(timeout), max_body_bytes_(max_body_bytes) {}
  Result<nlohmann::json> Fetch(const SidecarEndpoint& endpoint, int64_t since_unix,
                               const std::string& bearer_token) override;

 private:
  const std::chrono::milliseconds timeout_;
  const size_t max_body_bytes_;
};

}  // namespace mm::op
