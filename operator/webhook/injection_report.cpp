#include "operator/webhook/injection_report.h"

#include "common/kube/label_selector.h"
#include "operator/webhook/annotations.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

std::string StringAt(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& ObjectAt(const json& obj, const char* key) {
  static const json kEmpty = json::object();
  if (!obj.is_object()) return kEmpty;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

InjectionReport ReportInjection(const MonitorView& monitor, const json& pods) {
  InjectionReport r;
  if (!pods.is_array()) return r;
  for (const auto& pod : pods) {
    const json& meta = ObjectAt(pod, "metadata");
    if (!kube::Matches(monitor.selector, ObjectAt(meta, "labels"))) continue;
    if (!StringAt(meta, "deletionTimestamp").empty()) continue;
    ++r.matched;
    const json& annotations = ObjectAt(meta, "annotations");
    const std::string injected = StringAt(annotations, kInjectedAnnotation);
    if (!injected.empty()) {
      // "<monitor>@<version>"; the monitor's name has no '@'.
      if (injected.substr(0, injected.find('@')) == monitor.name) {
        ++r.injected;
      } else {
        ++r.other_monitor;
      }
    } else if (StringAt(annotations, kInjectAnnotation) == "false" ||
               StringAt(ObjectAt(meta, "labels"), kInjectLabel) == "false") {
      ++r.opted_out;
    } else if (ObjectAt(pod, "spec").value("hostNetwork", false) == true) {
      ++r.host_network;
    } else {
      r.missed.push_back(StringAt(meta, "name"));
    }
  }
  return r;
}

}  // namespace mm::webhook
