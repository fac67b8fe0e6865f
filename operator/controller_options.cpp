#include "operator/controller_options.h"

#include <unistd.h>

#include <cstdlib>
#include <random>

#include "common/api/duration.h"

namespace mm::op {

std::string DefaultIdentity() {
  std::string base;
  if (const char* pod = std::getenv("POD_NAME"); pod && *pod) {
    base = pod;
  } else {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    base = host;
  }
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  return base + "_" + suffix;
}

Result<ControllerOptions> MakeControllerOptions(const OperatorOptions& f) {
  ControllerOptions c;
  c.watch_namespace = f.watch_namespace;
  c.workers = f.workers;
  c.page_size = f.list_page_size;
  using std::chrono::milliseconds;
  std::optional<milliseconds> ms = api::ParseMilliseconds(f.watch_timeout);
  if (!ms || *ms < milliseconds(1000)) {
    return Error{"--watch-timeout: \"" + f.watch_timeout + "\" must be a duration of 1s or more"};
  }
  c.watch_timeout = std::chrono::duration_cast<std::chrono::seconds>(*ms);
  c.leader_elect = f.leader_elect;
  c.identity = f.identity.empty() ? DefaultIdentity() : f.identity;
  c.leader.identity = c.identity;
  c.leader.lease_name = f.leader_elect_lease_name;
  c.leader.lease_namespace = f.leader_elect_namespace;
  if (c.leader.lease_namespace.empty()) {
    const char* pod_ns = std::getenv("POD_NAMESPACE");
    c.leader.lease_namespace = pod_ns && *pod_ns ? pod_ns : "default";
  }
  struct {
    const char* flag;
    const std::string& text;
    std::chrono::milliseconds* out;
  } durations[] = {
      {"--leader-elect-lease-duration", f.leader_elect_lease_duration, &c.leader.lease_duration},
      {"--leader-elect-renew-deadline", f.leader_elect_renew_deadline, &c.leader.renew_deadline},
      {"--leader-elect-retry-period", f.leader_elect_retry_period, &c.leader.retry_period},
  };
  for (auto& d : durations) {
    ms = api::ParseMilliseconds(d.text);
    if (!ms) {
      return Error{std::string(d.flag) + ": \"" + d.text +
                   "\" is not a duration (use 500ms, 2s, 5m, 1h)"};
    }
    *d.out = *ms;
  }
  ms = api::ParseMilliseconds(f.evaluation_interval);
  if (!ms || *ms < milliseconds(100)) {
    return Error{"--evaluation-interval: \"" + f.evaluation_interval +
                 "\" must be a duration of 100ms or more (use 15s, 1m)"};
  }
  c.evaluation_interval = *ms;
  ms = api::ParseMilliseconds(f.snapshot_timeout);
  if (!ms || *ms < milliseconds(10)) {
    return Error{"--snapshot-timeout: \"" + f.snapshot_timeout +
                 "\" must be a duration of 10ms or more (use 5s)"};
  }
  c.snapshot_timeout = *ms;
  c.snapshot_concurrency = f.snapshot_concurrency;
  c.prometheus_objects = f.prometheus_objects;
  for (const std::string& label : f.prometheus_objects_labels) {
    const auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error{"--prometheus-objects-label: \"" + label +
                   "\" is not key=value (use release=kube-prometheus-stack)"};
    }
    c.prometheus_labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  if (c.leader_elect) {
    if (std::string why = LeaderElector::Validate(c.leader); !why.empty()) return Error{why};
  }
  return c;
}

}  // namespace mm::op
