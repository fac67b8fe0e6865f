#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/api/model_monitor.h"
#include "common/kube/kube_client.h"
#include "common/rfc3339.h"

namespace mm::op {

// Why an action is taken: the firing alert and what it measured.
struct ActionCause {
  std::string alert;
  std::optional<double> value;     // unset: Alertmanager reported the alert without a value
  bool from_alertmanager = false;  // the alert fired in Alertmanager (status.externalAlerts)
  int64_t samples = 0;
  double threshold = 0;
  std::string window;  // "5m"
  SystemTime episode;  // the alert's Firing since
  SystemTime now;
};

// What an action did (or, dry, would do): the status record and the Event.
struct ActionOutcome {
  api::RemediationRecord record;
  std::string reason;  // CamelCase Event reason
  bool warning = false;
  std::string note;
};

// The Event action of `action`'s outcomes: "Rollback", "Retrain", "None".
std::string_view EventAction(api::Action action);

// Carries out rollback and retrain against the Kubernetes API, and follows
// actions that take time (a retrain Job) to their end. It decides nothing about
// whether to act: the evaluator checks episodes, cooldown and budget first.
class Remediator {
 public:
  explicit Remediator(kube::KubeClient& client) : client_(client) {}

  // Carries out `action`: the one place an api::Action becomes work, a switch the
  // compiler checks, so a new action cannot run as another. `none` changes
  // nothing (the evaluator records it without calling here): Skipped.
  ActionOutcome Take(api::Action action, const api::ModelMonitor& m, const ActionCause& cause,
                     bool dry_run,
                     const std::function<bool(const api::RemediationRecord&)>& record_intent);

  // Rolls spec.target back (PlanRollback). Before it patches, `record_intent`
  // is called with the Started record: it must persist it (status write) and
  // return true, so that a crash between the patch and the final status write
  // can never lead a new leader to roll back a second time. With dry_run the
  // plan is recorded (DryRun) and nothing is changed.
  ActionOutcome Rollback(const api::ModelMonitor& m, const ActionCause& cause, bool dry_run,
                         const std::function<bool(const api::RemediationRecord&)>& record_intent);

  // Creates the retrain Job (BuildRetrainJob); AlreadyExists is success (another
  // replica or an earlier leader created it for this episode). Like Rollback, it
  // persists the Started record through `record_intent` before creating, so the
  // episode (and with it the Job's name) survives a crash in between.
  ActionOutcome Retrain(const api::ModelMonitor& m, const ActionCause& cause, bool dry_run,
                        const std::function<bool(const api::RemediationRecord&)>& record_intent);

  // For a record still Started: its end (or a change to it), or nullopt while
  // it is still running.
  // retrain: the Job's Complete/Failed condition (a deleted Job is Failed). A Job
  // whose creation was interrupted after the intent was recorded is created now
  // (still Started): its name is the episode's, so AlreadyExists means another
  // leader made it, and there is never a second Job. When the alert's episode
  // is over, it is Failed instead.
  // rollback: a Started rollback is one interrupted between intent and patch;
  // the Deployment's modelmonitor.io/rollback annotation says whether the patch
  // landed (Succeeded) or not (Failed: not retried, the episode is over).
  std::optional<ActionOutcome> Follow(const api::ModelMonitor& m,
                                      const api::RemediationRecord& started);

  // The annotation value a rollback writes on the Deployment (unique per record).
  static std::string RollbackNote(const std::string& ns, const std::string& monitor,
                                  const api::RemediationRecord& r);

 private:
  std::optional<ActionOutcome> FollowRetrain(const api::ModelMonitor& m,
                                             const api::RemediationRecord& started);
  std::optional<ActionOutcome> FollowRollback(const api::ModelMonitor& m,
                                              const api::RemediationRecord& started);
  std::optional<ActionOutcome> CreateInterruptedJob(const api::ModelMonitor& m,
                                                    const api::RemediationRecord& started);

  kube::KubeClient& client_;
};

}  // namespace mm::op
