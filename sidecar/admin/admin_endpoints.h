#pragma once

#include <chrono>
#include <string>

#include "common/http/server.h"
#include "sidecar/config_reloader.h"
#include "sidecar/labels/ground_truth.h"
#include "sidecar/metrics/sidecar_metrics.h"
#include "sidecar/resources/resource_sampler.h"

namespace mm::sidecar {

struct AdminTargets {
  SidecarMetrics* metrics = nullptr;
  const ResourceSampler* resources = nullptr;  // may be null
  const GroundTruth* ground_truth = nullptr;   // null: no "accuracy" in the snapshot
  std::string model_host = "127.0.0.1";
  uint16_t model_port = 8000;
  std::chrono::milliseconds ready_timeout{1000};
  // Bearer token for GET /v1/snapshot (the monitor's admin token, read only by the
  // operator); empty: snapshots are refused with 503.
  std::string admin_token;
  const ConfigReloader* config = nullptr;  // null: no "config" in the snapshot
};

// Registers the admin port's endpoints on `server`:
//   GET /metrics      Prometheus text format (modelmonitor_sidecar_*)
//   GET /v1/snapshot  mergeable per-bucket state; ?since=<unix seconds>; with a
//                     ground truth also "accuracy" (GroundTruth::Snapshot), and
//                     "config": the live config's generation and hash. Needs
//                     "Authorization: Bearer <admin token>" (CheckBearer: 503/401/403)
//   GET /healthz      the sidecar process serves
//   GET /readyz       the model accepts connections (503 with the reason if not)
void RegisterAdminEndpoints(http::Server& server, AdminTargets targets);

}  // namespace mm::sidecar
