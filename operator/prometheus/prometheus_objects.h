#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/kube/kube_client.h"
#include "common/result.h"
#include "operator/prometheus/monitoring_objects.h"

namespace mm::op {

// Creates `desired` (a namespaced object with metadata.name) or, when the object in the
// cluster differs from it, replaces it (GET, then PUT with the resourceVersion read; a 409
// reads again). "Differs": the annotation modelmonitor.io/applied-hash (a hash of `desired`,
// which this sets) is not the one of `desired`, or the cluster's labels, ownerReferences or
// spec do not contain `desired`'s (fields the API server defaulted are not differences).
// Labels and annotations others added are kept. Returns whether it wrote.
Result<bool> ApplyObject(kube::KubeClient& client, const std::string& resource,
                         const nlohmann::json& desired);

// Keeps each ModelMonitor's PodMonitor and PrometheusRule (BuildMonitoringObjects) when the
// API server serves monitoring.coreos.com/v1 (`--prometheus-objects`, docs/alerts.md). The
// discovery answer is cached for `discovery_recheck`, so CRDs installed later are picked up
// without a restart. A monitor whose desired objects were applied within `recheck` costs no
// API call (reconciles run on every pod event); objects deleted or edited by hand converge
// back within `recheck`. Deleting the monitor deletes both (ownerReferences).
// Thread-safe: the reconcile workers share it.
class PrometheusObjects {
 public:
  struct Options {
    std::map<std::string, std::string> labels;  // added to both objects
    std::chrono::seconds discovery_recheck{60};
    std::chrono::seconds recheck{300};
    std::function<std::chrono::steady_clock::time_point()> now = [] {
      return std::chrono::steady_clock::now();
    };
  };

  enum class Outcome {
    kApplied,    // at least one object was created or replaced
    kUnchanged,  // both were already as desired (or were, within `recheck`)
    kNotServed,  // the API server does not serve podmonitors/prometheusrules
    kFailed,     // `message` says which call failed and why
  };
  struct Report {
    Outcome outcome = Outcome::kUnchanged;
    std::string message;
    int rules = 0;
    std::vector<UntranslatedAlert> untranslated;
    // kNotServed: true the first time it is reported for this monitor (tell the user once).
    bool first_report = false;
  };

  explicit PrometheusObjects(Options options) : o_(std::move(options)) {}

  std::chrono::seconds discovery_recheck() const { return o_.discovery_recheck; }

  Report Ensure(kube::KubeClient& client, const api::ModelMonitor& monitor);

  // Whether the API serves podmonitors and prometheusrules in monitoring.coreos.com/v1,
  // from the cache or one discovery GET; an Error when the API could not say.
  Result<bool> Served(kube::KubeClient& client);

 private:
  const Options o_;
  std::mutex mu_;
  std::optional<bool> served_;
  std::chrono::steady_clock::time_point served_checked_;
  struct Applied {
    uint64_t hash = 0;
    std::chrono::steady_clock::time_point when;
  };
  std::map<std::string, Applied> applied_;  // monitor uid -> what was last converged
  std::set<std::string> told_not_served_;   // monitor uids told the CRDs are missing
};

// 64-bit FNV-1a of `object.dump()` (keys are sorted, so equal objects hash equal).
uint64_t ObjectHash(const nlohmann::json& object);

}  // namespace mm::op
