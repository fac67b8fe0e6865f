#pragma once

// The evaluator's own: what one MonitorEvaluator::Evaluate hands from step to
// step. Included by the evaluator's sources only.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/api/model_monitor.h"
#include "common/kube/label_selector.h"
#include "common/rfc3339.h"
#include "operator/alerts/monitor_evaluator.h"
#include "operator/alerts/monitor_window.h"
#include "operator/alerts/rule_evaluator.h"
#include "operator/alerts/snapshot_collector.h"
#include "operator/webhook/injected_sidecar.h"

namespace mm::op {

struct MonitorEvaluator::Round {
  // Set before Fetch: the clock, read once. Status times are whole seconds:
  // records and states are stamped with `now` (rounded up); the alerts' `for`
  // is measured on `exact_now` (EvaluateRule).
  SystemTime exact_now;
  SystemTime now;
  int64_t now_unix = 0;

  // Fetch: the object as read (the status write's first base, for its
  // resourceVersion), the monitor with the status this round edits, and its
  // compiled selector.
  std::string key;  // "namespace/name", for logs
  nlohmann::json current;
  api::ModelMonitor monitor;
  kube::LabelSelector selector;

  // FindSidecars: the Ready sidecars, by pod name, and how many are not Ready.
  std::vector<SidecarEndpoint> endpoints;
  int not_ready = 0;

  // CollectSnapshots: what the sidecars said, merged; why some did not.
  api::Duration longest{0};  // the longest alert window: what is asked for
  Collection collection;
  std::string token_error;  // set when the admin token could not be read
  MonitorWindow window;
  std::string unanswered;  // "2 of 5 pods did not answer (...)", empty when all did

  // StepAlerts: one decision per spec.alerts entry, in its order.
  std::vector<AlertDecision> decisions;
  int firing = 0;

  api::ModelMonitorStatus& status() { return monitor.status; }
};

}  // namespace mm::op
