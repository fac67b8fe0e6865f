#pragma once

// The part of a ModelMonitor a sidecar is told: what the webhook injects as
// MM_MONITOR_CONFIG and what the reconciler keeps in the monitor's ConfigMap
// (monitor_config_map.h). The selector, the target, the alerts and remediation
// mean nothing to a sidecar and are not in it.
//
//   {"monitor": {"namespace", "name", "uid", "generation"},
//    "serving": {...spec.serving},
//    "sidecar": {"sampleRate", "maxBodyBytes"},
//    "groundTruth": {...spec.groundTruth}}        (only when the monitor has one)
//
// Written by the operator with every default explicit; read by the sidecar with
// the spec's own field parsers, so a field means the same and is refused the same
// way in both places (errors name spec.serving.port and so on).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/api/model_monitor.h"
#include "common/result.h"

namespace mm::api {

// Which monitor, and which generation of its spec, a config was made from: texts
// of one monitor are ordered by generation (a kubelet may mount an older file
// beside a pod's newer start-up config).
struct MonitorIdentity {
  std::string namespace_name;
  std::string name;
  std::string uid;
  int64_t generation = 0;

  bool operator==(const MonitorIdentity&) const = default;
};

struct SidecarMonitorConfig {
  MonitorIdentity monitor;
  ServingSpec serving;
  double sample_rate = defaults::kSampleRate;
  int64_t max_body_bytes = defaults::kMaxBodyBytes;
  std::optional<GroundTruthSpec> ground_truth;

  bool operator==(const SidecarMonitorConfig&) const = default;
};

// The sidecar's part of a monitor.
SidecarMonitorConfig SidecarConfigOf(const ModelMonitor& monitor);

// The injected form above. ParseSidecarMonitorConfig(ToJson(c)) == c.
nlohmann::json ToJson(const SidecarMonitorConfig& config);
// The injected form as text: the webhook's MM_MONITOR_CONFIG and the ConfigMap's
// file of the same generation are these same bytes, so a sidecar sees no change
// (and the same config hash) when the file appears.
std::string SidecarConfigText(const ModelMonitor& monitor);

// Reads the injected form; for a sidecar run by hand, a whole ModelMonitor
// ({"metadata", "spec"}) or a bare spec ({"selector", ...}) is read with the API's
// parser and its sidecar part taken. Errors name the field.
Result<SidecarMonitorConfig> ParseSidecarMonitorConfig(const nlohmann::json& config);

}  // namespace mm::api
