#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mm::sidecar {

// How the data-path proxy listens, reaches the model and limits request heads.
// Immutable once the proxy starts (a config reload cannot change these; what it
// can change is in RequestSettings, sidecar/proxy/serving_config.h); shared by all
// workers.
struct ProxyOptions {
  std::string listen_address = "0.0.0.0";
  uint16_t port = 8080;  // 0: pick a free port (tests)
  std::string upstream_host = "127.0.0.1";
  uint16_t upstream_port = 8000;
  int threads = 1;  // workers, each with its own event loop and upstream pool

  size_t max_header_bytes = 16 << 10;  // request and response heads; 431 / 502 beyond
  // Bodies up to this size with a Content-Length are read whole and sent in one
  // write; larger or chunked bodies are streamed piece by piece.
  size_t buffered_body_bytes = 64 << 10;
  // Model responses kept for the protocol adapter (larger ones are not parsed).
  size_t max_capture_bytes = 1 << 20;

  std::chrono::milliseconds client_timeout{60000};           // idle keep-alive and each read
  std::chrono::milliseconds upstream_connect_timeout{1000};  // -> 502
  std::chrono::milliseconds upstream_timeout{
      60000};  // response head, and between body bytes -> 504
  std::chrono::milliseconds upstream_idle_timeout{4000};  // pooled connections older are closed
  size_t upstream_max_idle = 64;                          // pooled connections per worker

  std::string model_revision;  // stored with each prediction
};

}  // namespace mm::sidecar
