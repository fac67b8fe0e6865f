#pragma once

#include <memory>

#include "common/http/server.h"
#include "common/result.h"
#include "sidecar/metrics/sidecar_metrics.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/proxy_server.h"
#include "sidecar/resources/resource_sampler.h"
#include "sidecar/sidecar_config.h"
#include "sidecar/store/bounded_prediction_queue.h"

namespace mm::sidecar {

// The whole sidecar: the data-path proxy, the metrics it feeds, the resource
// sampler, the prediction queue and the admin port, wired from one config.
class Sidecar {
 public:
  static Result<std::unique_ptr<Sidecar>> Create(SidecarConfig config);
  ~Sidecar();

  Status Start();
  void Stop();
  uint16_t data_port() const { return proxy_->port(); }
  uint16_t admin_port() const { return admin_->port(); }
  // Where recorded predictions wait; the prediction store consumes from here.
  BoundedPredictionQueue& predictions() { return *queue_; }
  SidecarMetrics& metrics() { return *metrics_; }

 private:
  explicit Sidecar(SidecarConfig config) : config_(std::move(config)) {}
  SidecarConfig config_;
  std::unique_ptr<ProtocolAdapter> adapter_;
  std::unique_ptr<SidecarMetrics> metrics_;
  std::unique_ptr<BoundedPredictionQueue> queue_;
  std::unique_ptr<ResourceSampler> resources_;
  std::unique_ptr<ProxyServer> proxy_;
  std::unique_ptr<http::Server> admin_;
};

}  // namespace mm::sidecar
