#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/api/model_monitor.h"
#include "common/kube/informer.h"
#include "common/kube/kube_client.h"
#include "operator/alerts/rule_evaluator.h"
#include "operator/alerts/snapshot_collector.h"
#include "operator/events/event_recorder.h"
#include "operator/remediation/remediator.h"

namespace mm::op {

// One evaluation of one ModelMonitor (docs/alerts.md): read its admin token, pull
// the snapshots of its Ready sidecars, merge them, evaluate each alert's state
// machine, act on Firing alerts within the safeguards (episode, cooldown, daily
// budget, dryRun), follow running actions, and write status.alerts, .metrics,
// .firingAlerts, .lastAction, .remediations and the Alerting/Remediating
// conditions — only when something changed — with an Event for every
// transition and action.
//
// Everything a restarted or new leader needs is in the status it writes: alert
// states with their start times (the Firing start names the episode) and the
// action records (cooldown, budget, "this episode was handled").
class MonitorEvaluator {
 public:
  struct Deps {
    kube::KubeClient& client;
    const kube::Informer& pods;
    SnapshotCollector& collector;
    Remediator& remediator;
    EventRecorder* events = nullptr;
    std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); };
    // False once leadership is lost: nothing is written or done after that.
    std::function<bool()> may_write = [] { return true; };
  };
  explicit MonitorEvaluator(Deps deps) : d_(std::move(deps)) {}

  // `key` is "namespace/name". Errors are logged and reported in status; the
  // next interval tries again.
  void Evaluate(const std::string& ns, const std::string& name);

 private:
  // What the steps of one evaluation hand each other (evaluation_round.h).
  struct Round;

  // The steps, in the order Evaluate runs them; each says what it promises.
  bool Fetch(const std::string& ns, const std::string& name, Round& r);
  void ClearAlerts(Round& r);
  void FollowRunningActions(Round& r);
  void FindSidecars(Round& r);
  void CollectSnapshots(Round& r);
  void StepAlerts(Round& r);
  void MeasureMetrics(Round& r);
  void ActOnFiringAlerts(Round& r);
  void ActOn(Round& r, const api::AlertRule& rule, const AlertDecision& d);
  void SetConditions(Round& r);

  bool WriteStatus(Round& r, const api::ModelMonitorStatus& status);
  void Event(const api::ModelMonitor& m, bool warning, const std::string& reason,
             const std::string& action, const std::string& note);

  Deps d_;
};

}  // namespace mm::op
