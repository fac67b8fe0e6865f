#include "operator/webhook/cached_monitor_lookup.h"

#include "common/log.h"

namespace mm::webhook {

Result<std::vector<MonitorView>> CachedMonitorLookup::MonitorsIn(const std::string& ns) {
  if (!monitors_.HasSynced()) return fallback_.MonitorsIn(ns);
  std::vector<MonitorView> out;
  std::vector<std::string> broken;
  monitors_.ForEach(ns, [&](const nlohmann::json& object) {
    auto m = MonitorFromJson(object);
    if (m) {
      out.push_back(std::move(m).value());
    } else {
      broken.push_back(m.error().message);
    }
  });
  for (const auto& why : broken) {
    log::Warning("ModelMonitor ignored by the webhook", {{"error", why}});
  }
  return out;
}

}  // namespace mm::webhook
