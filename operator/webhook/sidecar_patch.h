#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/api/parsed_monitor.h"
#include "common/result.h"
#include "operator/webhook/sidecar_resources.h"

namespace mm::webhook {

// The operator's configuration of injected sidecars (flags of the operator).
struct SidecarDefaults {
  std::string image = std::string("ghcr.io/modelmonitor/sidecar:") + MM_VERSION;
  std::string version = MM_VERSION;  // recorded in modelmonitor.io/injected
  std::string image_pull_policy = "IfNotPresent";
  ResourceDefaults resources;
  int data_port = 8080;   // preferred; the next free number when the pod uses it
  int admin_port = 9090;  // preferred, likewise
  std::string store_size_limit = "1Gi";
  int run_as_user = 65532;
  // The sidecar's config is one env var; a monitor whose config is bigger is not injected.
  size_t max_config_bytes = 32 << 10;
};

struct SidecarPatch {
  nlohmann::json operations = nlohmann::json::array();  // RFC 6902, against the pod
  std::vector<std::string> warnings;
  std::string model_container;
  std::string taken_port_name;  // the name the sidecar took over; empty when none
};

// The JSON Patch that injects `monitor`'s sidecar into `pod` (the pod as the
// API server sent it, defaults not yet applied). Fails, with a reason for the
// user, when the pod cannot be injected safely: the model port is not found, or
// a volume name the sidecar needs is taken. The caller has decided that the pod
// is selected and not yet injected.
Result<SidecarPatch> BuildSidecarPatch(const nlohmann::json& pod, const api::ParsedMonitor& monitor,
                                       const SidecarDefaults& defaults);

}  // namespace mm::webhook
