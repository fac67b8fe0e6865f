#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "common/result.h"
#include "sidecar/metrics/sidecar_metrics.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/proxy_options.h"
#include "sidecar/proxy/serving_config.h"
#include "sidecar/store/prediction_sink.h"

namespace mm::sidecar {

class ProxyWorker;

// The data path: an HTTP/1.1 reverse proxy from the data port to the model on
// localhost, with `options.threads` workers (one event loop each). Each request
// is served with the version of `serving` live when its head arrived (a reload
// stores a new one; connections stay open). Requests are timed and counted in
// `metrics`; sampled predictions go to `sink` (may be null). `serving`, metrics and
// sink must outlive the server.
class ProxyServer {
 public:
  ProxyServer(ProxyOptions options, const LiveServingConfig& serving, SidecarMetrics& metrics,
              PredictionSink* sink);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  Status Start();
  void Stop();
  uint16_t port() const { return port_; }
  const ProxyOptions& options() const { return options_; }

 private:
  const ProxyOptions options_;
  const LiveServingConfig& serving_;
  SidecarMetrics& metrics_;
  PredictionSink* sink_;
  std::vector<std::unique_ptr<ProxyWorker>> workers_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

}  // namespace mm::sidecar
