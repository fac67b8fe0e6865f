#pragma once

#include "common/kube/informer.h"
#include "operator/webhook/monitor_lookup.h"

namespace mm::webhook {

// The ModelMonitors of a namespace from the operator's informer cache: no API
// call per admission (docs/injection.md, "Performance"). Until the cache has its
// first LIST, `fallback` (an ApiMonitorLookup) answers, so the webhook injects
// from the moment it serves.
class CachedMonitorLookup final : public MonitorLookup {
 public:
  CachedMonitorLookup(const kube::Informer& monitors, MonitorLookup& fallback)
      : monitors_(monitors), fallback_(fallback) {}
  Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string& ns) override;

 private:
  const kube::Informer& monitors_;
  MonitorLookup& fallback_;
};

}  // namespace mm::webhook
