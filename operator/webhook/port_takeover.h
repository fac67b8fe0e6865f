#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "common/api/model_monitor.h"
#include "common/result.h"

namespace mm::webhook {

// How the sidecar steps in front of the model. The sidecar and the model share
// the pod's network namespace, so they cannot listen on the same port number:
// the model keeps its number under a new name, and the sidecar's data port
// takes the original NAME (Services with `targetPort: <name>` now reach the
// sidecar) on a free number of its own, forwarding to the model's number.
struct PortTakeover {
  size_t container_index = 0;  // the model container in spec.containers
  std::string container_name;
  int model_port = 0;                // where the sidecar forwards (127.0.0.1:model_port)
  std::string original_name;         // the name the sidecar takes; empty: the port had none
  std::string renamed_to;            // the model port's new name; empty when nothing is renamed
  std::optional<size_t> port_index;  // the renamed entry in the container's ports
  std::string warning;               // e.g. the port has no name, so Services cannot be redirected
};

// Finds the model container and port from spec.serving.port: by name, by
// number, or (unset) the first port of the first container that declares one.
Result<PortTakeover> PlanPortTakeover(const nlohmann::json& pod_spec, const api::PortRef& port);

// A valid port name (IANA_SVC_NAME: at most 15 characters, [a-z0-9-], a letter,
// no "--", no leading or trailing '-') for the renamed model port, "<name>-model"
// when it fits, not one of `taken`.
std::string RenamedPortName(const std::string& name, const std::set<std::string>& taken);

// Every port name and number declared by the pod's containers and init containers.
std::set<std::string> PortNamesInUse(const nlohmann::json& pod_spec);
std::set<int> PortNumbersInUse(const nlohmann::json& pod_spec);

// `preferred`, or the next number above it that is not in `used` (wrapping to
// 1024); 0 when every number is used.
int FreePort(int preferred, const std::set<int>& used);

}  // namespace mm::webhook
