#include "operator/webhook/injected_sidecar.h"

#include "common/json_fields.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/injection_report.h"

namespace mm::op {
using json_fields::At;
using json_fields::StringAt;
using nlohmann::json;

Result<SidecarEndpoint> SidecarEndpointOf(const std::string& monitor, const json& pod) {
  const json& meta = At(pod, "metadata");
  SidecarEndpoint e;
  e.pod = StringAt(meta, "name");
  if (webhook::ClassifyMatchedPod(monitor, pod) != webhook::PodInjection::kInjected) {
    return Error{"pod " + e.pod + " does not carry this monitor's sidecar"};
  }
  const json& status = At(pod, "status");
  if (StringAt(status, "phase") != "Running") return Error{"pod " + e.pod + " is not Running"};
  e.ip = StringAt(status, "podIP");
  if (e.ip.empty()) return Error{"pod " + e.pod + " has no IP yet"};
  const json& inits = At(At(pod, "spec"), "initContainers");
  if (inits.is_array()) {
    for (const auto& c : inits) {
      if (StringAt(c, "name") != webhook::kSidecarContainerName || !At(c, "ports").is_array())
        continue;
      for (const auto& p : c["ports"]) {
        const json& number = At(p, "containerPort");
        if (StringAt(p, "name") == "mm-admin" && number.is_number_integer()) {
          e.admin_port = static_cast<uint16_t>(number.get<int>());
        }
      }
    }
  }
  if (e.admin_port == 0) return Error{"pod " + e.pod + " has no sidecar admin port (mm-admin)"};
  const json& conditions = At(status, "conditions");
  if (conditions.is_array()) {
    for (const auto& c : conditions) {
      if (StringAt(c, "type") == "Ready") e.ready = StringAt(c, "status") == "True";
    }
  }
  return e;
}

}  // namespace mm::op
