#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "operator/webhook/monitor_view.h"

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

// `pods`: the items of a pod list of the monitor's namespace.
InjectionReport ReportInjection(const MonitorView& monitor, const nlohmann::json& pods);

}  // namespace mm::webhook
