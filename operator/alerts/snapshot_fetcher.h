#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "operator/webhook/injected_sidecar.h"

namespace mm::op {

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

// Plain HTTP/1.1 through http::Send (one connection per fetch, everything within
// `timeout`); answers larger than `max_body_bytes` are refused.
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
