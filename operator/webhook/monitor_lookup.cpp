#include "operator/webhook/monitor_lookup.h"

#include "common/kube/resource_path.h"
#include "common/log.h"

namespace mm::webhook {

Result<std::vector<MonitorView>> ApiMonitorLookup::MonitorsIn(const std::string& ns) {
  const auto r =
      client_.Get(kube::ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url());
  if (!r.ok()) return Error{"cannot list ModelMonitors in " + ns + ": " + r.Message()};
  std::vector<MonitorView> out;
  if (!r.body.contains("items") || !r.body["items"].is_array()) return out;
  for (const auto& item : r.body["items"]) {
    auto m = MonitorFromJson(item);
    if (!m) {
      log::Warning("ModelMonitor ignored by the webhook", {{"error", m.error().message}});
      continue;
    }
    out.push_back(std::move(m).value());
  }
  return out;
}

}  // namespace mm::webhook
