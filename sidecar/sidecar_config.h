#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/metrics/accuracy_config.h"
#include "common/result.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/proxy_options.h"
#include "sidecar/proxy/serving_config.h"
#include "sidecar/resources/resource_sampler.h"
#include "sidecar/store/prediction_store.h"

namespace mm::sidecar {

// The accuracy side: where predictions wait for labels and how they are scored.
struct GroundTruthConfig {
  metrics::AccuracyConfig accuracy;
  StoreLimits limits;
  std::string store_dir;  // the prediction database's folder; empty: a temporary one (warned)
  std::chrono::milliseconds refresh{5000};         // sweep + accuracy gauges period
  metrics::TimeMs report_window_ms = 3600 * 1000;  // the window the accuracy gauges cover
};

// Everything the sidecar process needs, in plain fields. Filled from flags
// (ConfigFromOptions) and the injected ModelMonitor spec, which ApplyMonitorSpec
// (sidecar/monitor_config.h) maps onto it. Which fields a config reload changes and
// which need a restart: PlanReload (sidecar/reload_plan.h).
struct SidecarConfig {
  ProxyOptions proxy;
  RequestSettings requests;
  ProtocolConfig protocol;
  std::string admin_address = "0.0.0.0";
  uint16_t admin_port = 9090;
  ResourceSamplerOptions resources;
  std::chrono::seconds bucket_width{10};          // /v1/snapshot time bucket
  size_t bucket_count = 360;                      // buckets kept (1 hour at 10 s)
  size_t prediction_queue = 10000;                // records waiting for the store; more are dropped
  std::optional<GroundTruthConfig> ground_truth;  // set: predictions are stored and joined
  std::string label_token;  // bearer token for POST /v1/labels; empty: label posts refused (503)
  std::string admin_token;  // bearer token for GET /v1/snapshot; empty: snapshots refused (503)
  // The ModelMonitor spec's text this config was made from (empty: flags only); its
  // hash names the live config on /metrics and /v1/snapshot.
  std::string monitor_spec;

  // Checks every field; the error names the field and what would be right.
  Status Validate() const;
};

}  // namespace mm::sidecar
