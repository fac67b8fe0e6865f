#pragma once

#include <memory>

#include "common/http/server.h"
#include "common/result.h"
#include "sidecar/config_reloader.h"
#include "sidecar/labels/accuracy_timer.h"
#include "sidecar/labels/ground_truth.h"
#include "sidecar/metrics/accuracy_gauges.h"
#include "sidecar/metrics/sidecar_metrics.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/proxy_server.h"
#include "sidecar/proxy/serving_config.h"
#include "sidecar/resources/resource_sampler.h"
#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// The whole sidecar: the data-path proxy, the metrics it feeds, the resource
// sampler, the ground truth (prediction store, label joiner, accuracy metrics; when
// configured) and the admin port, wired from one config; and the config reloader,
// which swaps in what `source` changes later (ConfigReloader) without closing a
// connection.
class Sidecar {
 public:
  // Without a source (its `read` null) the config never changes.
  static Result<std::unique_ptr<Sidecar>> Create(SidecarConfig config, ConfigSource source = {});
  ~Sidecar();

  Status Start();
  void Stop();
  // Checks the config source now (SIGHUP); the poll does this every few seconds.
  ReloadResult ReloadConfig();
  uint16_t data_port() const { return proxy_->port(); }
  uint16_t admin_port() const { return admin_->port(); }
  // Null when the config has no ground truth.
  GroundTruth* ground_truth() { return ground_truth_.get(); }
  SidecarMetrics& metrics() { return *metrics_; }

 private:
  explicit Sidecar(SidecarConfig config) : config_(std::move(config)) {}
  // Opens the ground truth of the config (its store folder, or a fresh temporary one).
  Status OpenGroundTruth();
  // Swaps in what a reloaded config changes (ConfigReloader::Apply).
  Status ApplyReloaded(const SidecarConfig& next);
  SidecarConfig config_;  // as started; the reloader holds the live one
  std::unique_ptr<LiveServingConfig> serving_;
  std::unique_ptr<SidecarMetrics> metrics_;
  std::unique_ptr<GroundTruth> ground_truth_;
  std::unique_ptr<AccuracyGauges> accuracy_gauges_;
  std::unique_ptr<AccuracyTimer> accuracy_timer_;
  std::unique_ptr<ResourceSampler> resources_;
  std::unique_ptr<ProxyServer> proxy_;
  std::unique_ptr<http::Server> admin_;
  std::unique_ptr<ConfigReloader> reloader_;
};

}  // namespace mm::sidecar
