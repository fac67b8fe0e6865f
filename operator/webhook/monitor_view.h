#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace mm::webhook {

// ---------------------------------------------------------------------------
// ADAPTER: the ModelMonitor fields the webhook needs, read from the object's
// JSON. The typed API (common/api, branch `api`) replaces MonitorFromJson when it
// lands; the webhook code uses only MonitorView, so only this adapter changes.
// ---------------------------------------------------------------------------
struct MonitorView {
  std::string ns;
  std::string name;
  std::string uid;
  int64_t generation = 0;
  std::string creation_timestamp;  // RFC 3339; orders monitors when several select a pod
  nlohmann::json selector;         // metav1.LabelSelector, validated

  // spec.serving.port: the model container's port, by name or by number.
  std::string serving_port_name;    // set when given by name
  std::optional<int> serving_port;  // set when given by number

  std::string sidecar_image;         // spec.sidecar.image; empty: the operator's default
  nlohmann::json sidecar_resources;  // spec.sidecar.resources; null: the operator's default

  // What the sidecar is told (spec.serving, spec.sidecar minus image/resources,
  // spec.groundTruth, and the monitor's identity), as JSON.
  nlohmann::json sidecar_config;
};

// Reads a ModelMonitor object. Errors name the field: `spec.selector: required`.
Result<MonitorView> MonitorFromJson(const nlohmann::json& object);

// The sidecar's config as text: what the webhook injects as MM_MONITOR_CONFIG and
// what the reconciler keeps in the monitor's ConfigMap (common/api/monitor_config_map.h).
// One function for both, so a pod's start-up config and the mounted file of the
// same generation are the same bytes: the sidecar then sees no change (and the
// same config hash) when the file appears.
std::string SidecarConfigText(const MonitorView& monitor);

}  // namespace mm::webhook
