#include "operator/webhook/monitor_lookup.h"

#include "common/kube/resource_path.h"
#include "common/log.h"

namespace mm::webhook {

Result<std::vector<api::ParsedMonitor>> ApiMonitorLookup::MonitorsIn(const std::string& ns) {
  const auto r = client_.Get(kube::ResourcePath{api::kApiVersion, api::kPlural, ns}.Url());
  if (!r.ok()) return Error{"cannot list ModelMonitors in " + ns + ": " + r.Message()};
  std::vector<api::ParsedMonitor> out;
  if (!r.body.contains("items") || !r.body["items"].is_array()) return out;
  for (const auto& item : r.body["items"]) {
    auto m = api::ParsedMonitor::FromJson(item);
    if (!m.ok()) {
      log::Warning("ModelMonitor ignored by the webhook",
                   {{"monitor", m.meta.namespace_name + "/" + m.meta.name}, {"error", m.error}});
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace mm::webhook
