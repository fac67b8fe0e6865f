#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/api/parsed_monitor.h"

namespace mm::webhook {

// Whether a pod gets a sidecar, and from which monitor. Pure: the pod and the
// namespace's monitors in, the decision out (so it is tested without a cluster).
struct InjectionDecision {
  enum class Outcome {
    kInject,       // `monitor` selects the pod and nothing forbids injection
    kNotSelected,  // no monitor selects the pod
    kSkip,         // selected or marked, but left alone; `reason` says why
  };
  Outcome outcome = Outcome::kNotSelected;
  const api::ParsedMonitor* monitor = nullptr;  // points into the monitors passed in
  std::string reason;
  // Reasons the user should see on `kubectl` (only for pods a monitor selects).
  std::vector<std::string> warnings;
};

// In order: already injected (annotation or container present) -> skip; opted
// out (annotation modelmonitor.io/inject: "false") -> skip; no monitor selects
// -> not selected; hostNetwork -> skip with a warning; else inject from the
// oldest selecting monitor (ties by name), warning when several select the pod.
InjectionDecision DecideInjection(const nlohmann::json& pod,
                                  const std::vector<api::ParsedMonitor>& monitors);

}  // namespace mm::webhook
