#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace mm::metrics {

// What the proxy learned about one request, handed to the metrics once the
// response is finished (or failed).
struct RequestObservation {
  std::chrono::system_clock::time_point time;  // when the request arrived
  int status = 0;                              // status sent to the client
  double latency_seconds = 0;                  // request head read -> response fully sent
  bool upstream_unavailable = false;           // answered 502: model refused or reset
  bool upstream_timeout = false;               // answered 504: model too slow
  bool stream = false;                         // a streamed (SSE) model response
  std::optional<double> ttft_seconds;          // streams: request -> first token
  std::optional<double> tokens_per_second;     // streams: output tokens / generation time
  uint64_t output_tokens = 0;                  // streams and OpenAI usage
};

}  // namespace mm::metrics
