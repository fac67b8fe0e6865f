#include "operator/webhook/injection_decision.h"

#include <algorithm>

#include "common/json_fields.h"
#include "common/kube/label_selector.h"
#include "operator/webhook/annotations.h"

namespace mm::webhook {
namespace {

using json_fields::StringAt;
using nlohmann::json;

bool HasSidecarContainer(const json& spec) {
  if (!spec.is_object()) return false;
  for (const char* list : {"initContainers", "containers"}) {
    const auto cs = spec.find(list);
    if (cs == spec.end() || !cs->is_array()) continue;
    for (const auto& c : *cs) {
      if (StringAt(c, "name") == kSidecarContainerName) return true;
    }
  }
  return false;
}

}  // namespace

InjectionDecision DecideInjection(const json& pod,
                                  const std::vector<api::ParsedMonitor>& monitors) {
  InjectionDecision d;
  const json meta = pod.is_object() ? pod.value("metadata", json::object()) : json::object();
  const json annotations = meta.is_object() ? meta.value("annotations", json::object()) : json();
  const json labels = meta.is_object() ? meta.value("labels", json::object()) : json();
  const json spec = pod.is_object() ? pod.value("spec", json::object()) : json::object();

  if (const std::string by = StringAt(annotations, kInjectedAnnotation); !by.empty()) {
    d.outcome = InjectionDecision::Outcome::kSkip;
    d.reason = "already injected (" + by + ")";
    return d;
  }
  if (HasSidecarContainer(spec)) {
    d.outcome = InjectionDecision::Outcome::kSkip;
    d.reason = std::string("already has a container named ") + kSidecarContainerName;
    return d;
  }
  if (StringAt(annotations, kInjectAnnotation) == "false" ||
      StringAt(labels, kInjectLabel) == "false") {
    d.outcome = InjectionDecision::Outcome::kSkip;
    d.reason = "opted out (modelmonitor.io/inject: \"false\")";
    return d;
  }

  std::vector<const api::ParsedMonitor*> selecting;
  for (const auto& m : monitors) {
    if (m.selector && m.selector->Matches(labels)) selecting.push_back(&m);
  }
  if (selecting.empty()) {
    d.reason = "no ModelMonitor selects the pod";
    return d;
  }
  std::sort(selecting.begin(), selecting.end(),
            [](const api::ParsedMonitor* a, const api::ParsedMonitor* b) {
              // RFC 3339 UTC timestamps of one format sort as strings.
              return std::tie(a->meta.creation_timestamp, a->meta.name) <
                     std::tie(b->meta.creation_timestamp, b->meta.name);
            });
  d.monitor = selecting.front();
  if (spec.is_object() && spec.value("hostNetwork", false) == true) {
    d.outcome = InjectionDecision::Outcome::kSkip;
    d.reason =
        "hostNetwork pod: its ports are the node's, so the sidecar cannot take over the "
        "model's port";
    d.warnings.push_back("ModelMonitor " + d.monitor->meta.name +
                         " selects this pod but it is not injected: " + d.reason);
    return d;
  }
  d.outcome = InjectionDecision::Outcome::kInject;
  if (selecting.size() > 1) {
    std::string others;
    for (size_t i = 1; i < selecting.size(); ++i)
      others += (i > 1 ? ", " : "") + selecting[i]->meta.name;
    d.warnings.push_back("several ModelMonitors select this pod; " + d.monitor->meta.name +
                         " (the oldest) injects it, not " + others);
  }
  return d;
}

}  // namespace mm::webhook
