#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/api/model_monitor.h"
#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::op {

// The monitor's sidecar ConfigMap (common/api/monitor_config_map.h):
// `<monitor>-modelmonitor-config`, key monitor.json = `config_text`, which is
// webhook::SidecarConfigText of the monitor (the text MM_MONITOR_CONFIG carries),
// owned by the monitor (ownerReference, so the garbage collector deletes it
// with the monitor), labelled like the token Secret.
nlohmann::json BuildSidecarConfigMap(const api::ObjectMeta& monitor,
                                     const std::string& config_text);

// What EnsureSidecarConfigMap did.
enum class ConfigMapWrite { kUnchanged, kCreated, kUpdated };

// Creates the ConfigMap when it is missing, and updates it (a merge patch that
// carries the resourceVersion, so a concurrent writer makes it fail with 409 and
// it is read again) when its key differs from `config_text` or it is not owned by
// this monitor (left behind by a deleted monitor of the same name). Writes
// nothing when it already holds the text. Other keys are left alone.
Result<ConfigMapWrite> EnsureSidecarConfigMap(kube::KubeClient& client,
                                              const api::ObjectMeta& monitor,
                                              const std::string& config_text);

// EnsureSidecarConfigMap without an API call when this process has already
// written or read the same text for the monitor (by uid) less than `recheck`
// ago: reconciles run on every pod event of a monitor, the text changes only
// with the spec. A ConfigMap edited or deleted by hand is put back within
// `recheck`. Thread-safe (workers share it).
class SidecarConfigMapKeeper {
 public:
  explicit SidecarConfigMapKeeper(std::chrono::seconds recheck = std::chrono::minutes(5))
      : recheck_(recheck) {}
  Result<ConfigMapWrite> Ensure(kube::KubeClient& client, const api::ObjectMeta& monitor,
                                const std::string& config_text);

 private:
  struct Checked {
    std::string text;
    std::chrono::steady_clock::time_point when;
  };
  const std::chrono::seconds recheck_;
  std::mutex mu_;
  std::map<std::string, Checked> checked_;  // uid -> the text known to be there
};

}  // namespace mm::op
