#pragma once

#include <string>
#include <vector>

#include "common/api/parsed_monitor.h"
#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::webhook {

// Where the webhook finds the ModelMonitors of a namespace. The operator's
// informer cache (branch `operator`) implements this without an API call per
// admission; ApiMonitorLookup lists through the API and serves until then.
class MonitorLookup {
 public:
  virtual ~MonitorLookup() = default;
  // The namespace's monitors that parse (ok()); ones that do not are logged and left
  // out (one broken monitor must not stop injection for the others).
  virtual Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string& ns) = 0;
};

class ApiMonitorLookup final : public MonitorLookup {
 public:
  explicit ApiMonitorLookup(kube::KubeClient& client) : client_(client) {}
  Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string& ns) override;

 private:
  kube::KubeClient& client_;
};

}  // namespace mm::webhook
