#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/api/parsed_monitor.h"

namespace mm::webhook {

// How injection went for one monitor's pods, for the reconciler's status
// (status.pods {matched, injected}, condition Injected=False with a count, an
// Event): pods the webhook missed (created while it was down, or before the
// monitor existed) are `missed`; pods that chose not to be injected are not.
struct InjectionReport {
  int matched = 0;    // pods the selector matches
  int injected = 0;   // ... that carry this monitor's sidecar
  int opted_out = 0;  // ... with modelmonitor.io/inject: "false"
  int host_network = 0;
  int other_monitor = 0;            // injected by another monitor that also selects them
  std::vector<std::string> missed;  // names of matched pods without a sidecar and no reason
};

// What one pod that the monitor's selector matches is, for injection.
enum class PodInjection {
  kTerminating,   // has a deletionTimestamp: not counted at all
  kInjected,      // carries this monitor's sidecar
  kOtherMonitor,  // carries the sidecar of another monitor that also selects it
  kOptedOut,      // modelmonitor.io/inject: "false" (annotation or label)
  kHostNetwork,   // never injected (see docs/injection.md)
  kMissed,        // none of the above: the webhook did not see it
};
// `pod` must be matched by the monitor's selector; `monitor` is its name.
PodInjection ClassifyMatchedPod(const std::string& monitor, const nlohmann::json& pod);

// `pods`: the items of a pod list of the monitor's namespace.
InjectionReport ReportInjection(const api::ParsedMonitor& monitor, const nlohmann::json& pods);

}  // namespace mm::webhook
