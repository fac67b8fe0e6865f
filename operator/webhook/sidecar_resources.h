#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm::webhook {

// A Kubernetes resource quantity ("250m", "1.5", "128Mi", "1e3") as a number in
// base units (cores, bytes); nullopt when the text is not a quantity.
std::optional<long double> ParseQuantity(std::string_view text);

// The sidecar's resources, most specific first: the pod's annotations
// (modelmonitor.io/sidecar-cpu, -memory, -cpu-limit, -memory-limit), the monitor's
// spec.sidecar.resources, the operator's defaults. An invalid annotation or one
// that would put a request above its limit (which the API server would reject,
// failing the pod) is ignored with a warning, so injection never breaks a pod.
struct ResourceDefaults {
  std::string cpu_request = "50m";
  std::string memory_request = "64Mi";
  std::string cpu_limit = "1";
  std::string memory_limit = "256Mi";
};

struct SidecarResources {
  nlohmann::json requirements;  // core/v1 ResourceRequirements {requests, limits}
  std::vector<std::string> warnings;
};

SidecarResources ResolveSidecarResources(const ResourceDefaults& defaults,
                                         const nlohmann::json& monitor_resources,
                                         const nlohmann::json& pod_annotations);

}  // namespace mm::webhook
