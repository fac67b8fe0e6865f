#include "operator/webhook/injection_report.h"

#include "common/json_fields.h"
#include "common/kube/label_selector.h"
#include "operator/webhook/annotations.h"

namespace mm::webhook {
using json_fields::ObjectAt;
using json_fields::StringAt;
using nlohmann::json;

PodInjection ClassifyMatchedPod(const std::string& monitor, const json& pod) {
  const json& meta = ObjectAt(pod, "metadata");
  if (!StringAt(meta, "deletionTimestamp").empty()) return PodInjection::kTerminating;
  const json& annotations = ObjectAt(meta, "annotations");
  const std::string injected = StringAt(annotations, kInjectedAnnotation);
  if (!injected.empty()) {
    // "<monitor>@<version>"; the monitor's name has no '@'.
    return injected.substr(0, injected.find('@')) == monitor ? PodInjection::kInjected
                                                             : PodInjection::kOtherMonitor;
  }
  if (StringAt(annotations, kInjectAnnotation) == "false" ||
      StringAt(ObjectAt(meta, "labels"), kInjectLabel) == "false") {
    return PodInjection::kOptedOut;
  }
  if (ObjectAt(pod, "spec").value("hostNetwork", false) == true) return PodInjection::kHostNetwork;
  return PodInjection::kMissed;
}

InjectionReport ReportInjection(const api::ParsedMonitor& monitor, const json& pods) {
  InjectionReport r;
  if (!pods.is_array()) return r;
  for (const auto& pod : pods) {
    const json& meta = ObjectAt(pod, "metadata");
    if (!monitor.selector || !monitor.selector->Matches(ObjectAt(meta, "labels"))) continue;
    switch (ClassifyMatchedPod(monitor.meta.name, pod)) {
      case PodInjection::kTerminating:
        continue;
      case PodInjection::kInjected:
        ++r.injected;
        break;
      case PodInjection::kOtherMonitor:
        ++r.other_monitor;
        break;
      case PodInjection::kOptedOut:
        ++r.opted_out;
        break;
      case PodInjection::kHostNetwork:
        ++r.host_network;
        break;
      case PodInjection::kMissed:
        r.missed.push_back(StringAt(meta, "name"));
        break;
    }
    ++r.matched;
  }
  return r;
}

}  // namespace mm::webhook
