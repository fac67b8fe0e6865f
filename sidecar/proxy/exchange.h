#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/metrics/request_observation.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/serving_config.h"

namespace mm::sidecar {

// Per-request state, from the request head to the last byte of the response.
struct Exchange {
  std::shared_ptr<const ServingConfig> config;  // the live version when the head arrived
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  metrics::RequestObservation obs;
  std::string id;
  bool sampled = false;
  bool want_body = false;  // the adapter needs the response body
  std::string captured;    // response body for the adapter (non-stream)
  bool capture_overflow = false;
  std::unique_ptr<StreamObserver> observer;  // SSE responses
  std::optional<std::chrono::steady_clock::time_point> first_token;
  std::chrono::steady_clock::time_point last_token;
  uint64_t stream_tokens = 0;
};

}  // namespace mm::sidecar
