#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// How each request is handled, in the settings a config reload may change
// (docs/sidecar.md, "Reloading the configuration"). Everything else the data path
// uses (ProxyOptions) is fixed for the life of the process.
struct RequestSettings {
  std::string request_id_header = "x-request-id";  // lower-case
  double sample_rate = 1.0;                        // share of requests recorded (all are timed)
  size_t max_body_bytes = 10 << 20;                // request bodies; 413 beyond
};

// One version of the reloadable config: immutable once built, shared by every
// request that started under it. A request keeps its version to its last byte, so
// a reload never changes a request in flight (a long stream keeps its adapter).
struct ServingConfig {
  RequestSettings requests;
  std::shared_ptr<const ProtocolAdapter> adapter;
};

// The settings and the adapter `protocol` names, as one version.
Result<std::shared_ptr<const ServingConfig>> MakeServingConfig(const RequestSettings& requests,
                                                               const ProtocolConfig& protocol);

// The version new requests start with. Each request loads it once, after its
// head has arrived (so a keep-alive connection idle across a reload serves its
// next request with the new version); a reload stores a new one. Thread-safe.
class LiveServingConfig {
 public:
  explicit LiveServingConfig(std::shared_ptr<const ServingConfig> initial)
      : current_(std::move(initial)) {}
  LiveServingConfig(const LiveServingConfig&) = delete;
  LiveServingConfig& operator=(const LiveServingConfig&) = delete;

  // One shared_ptr copy per request under an uncontended mutex: tens of
  // nanoseconds, against tens of microseconds for proxying the request
  // (docs/benchmarks.md has the before/after run). Not std::atomic<shared_ptr>:
  // libstdc++ 12 releases its lock bit with relaxed order after a load, so a
  // later store does not synchronise with that read (ThreadSanitizer reports it).
  std::shared_ptr<const ServingConfig> Load() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Store(std::shared_ptr<const ServingConfig> next) {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(next);  // the old config is released with `next`, after the unlock
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ServingConfig> current_;
};

}  // namespace mm::sidecar
