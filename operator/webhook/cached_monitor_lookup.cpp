#include "operator/webhook/cached_monitor_lookup.h"

#include "common/log.h"

namespace mm::webhook {

Result<std::vector<api::ParsedMonitor>> CachedMonitorLookup::MonitorsIn(const std::string& ns) {
  if (!monitors_.HasSynced()) return fallback_.MonitorsIn(ns);
  std::vector<api::ParsedMonitor> out;
  std::vector<std::string> broken;
  monitors_.ForEach(ns, [&](const nlohmann::json& object) {
    auto m = api::ParsedMonitor::FromJson(object);
    if (m.ok()) {
      out.push_back(std::move(m));
    } else {
      broken.push_back(m.meta.namespace_name + "/" + m.meta.name + ": " + m.error);
    }
  });
  for (const auto& why : broken) {
    log::Warning("ModelMonitor ignored by the webhook", {{"error", why}});
  }
  return out;
}

}  // namespace mm::webhook
