// The evaluator's steps that touch actions: following the ones still running,
// and acting on Firing alerts within the safeguards (docs/alerts.md, "Actions").
#include "operator/alerts/evaluation_round.h"
#include "operator/alerts/evaluator_status.h"
#include "operator/alerts/monitor_evaluator.h"
#include "operator/remediation/remediation_policy.h"

namespace mm::op {
namespace {

using api::AlertState;

// Why `d` asks for `rule`'s action, for the remediator's records and Events.
ActionCause CauseOf(const api::AlertRule& rule, const AlertDecision& d, SystemTime now) {
  ActionCause cause;
  cause.alert = rule.name;
  cause.value = d.value;
  cause.from_alertmanager = d.external;
  cause.samples = d.samples;
  cause.threshold = rule.threshold;
  cause.window = api::FormatDuration(rule.window);
  cause.episode = d.since;
  cause.now = now;
  return cause;
}

// The record of an alert whose action is `none`: it fired, nothing was done.
api::RemediationRecord RecordedOnly(const ActionCause& cause) {
  api::RemediationRecord r;
  r.time = FormatRfc3339(cause.now);
  r.alert = cause.alert;
  r.action = api::Action::kNone;
  r.result = api::RemediationResult::kSucceeded;
  r.value = cause.value;
  r.message = "action none: recorded only";
  return r;
}

}  // namespace

// FollowRunningActions: each record still Started (a retrain Job running, a
// rollback interrupted by a restart) gets its end from the remediator when it
// has one, with an Event. Runs before anything new is decided, so the
// safeguards see finished actions as finished.
void MonitorEvaluator::FollowRunningActions(Round& r) {
  for (auto& rec : r.status().remediations) {
    if (rec.result != api::RemediationResult::kStarted) continue;
    if (auto done = d_.remediator.Follow(r.monitor, rec)) {
      rec = done->record;
      r.status().last_action = LastAction(rec);
      Event(r.monitor, done->warning, done->reason, std::string(EventAction(rec.action)),
            done->note);
    }
  }
}

// ActOnFiringAlerts: each alert Firing in this round whose episode has no record
// yet gets its action (ActOn). A Firing alert measured here has a value; one
// Alertmanager fired may not.
void MonitorEvaluator::ActOnFiringAlerts(Round& r) {
  for (size_t i = 0; i < r.monitor.spec.alerts.size(); ++i) {
    const api::AlertRule& rule = r.monitor.spec.alerts[i];
    const AlertDecision& d = r.decisions[i];
    if (d.state != AlertState::kFiring || (!d.value && !d.external)) continue;
    if (EpisodeHandled(r.status().remediations, rule.name, d.since)) continue;
    ActOn(r, rule, d);
  }
}

// ActOn: `none` is recorded only: it changes nothing, so no safeguard holds it
// back. rollback and retrain pass the safeguards (cooldown, daily budget; a
// refusal is recorded once per episode) and go to the remediator, which records
// its intent in status (written at once) before it changes anything; the
// outcome is recorded with an Event. dryRun is the remediator's to honour.
void MonitorEvaluator::ActOn(Round& r, const api::AlertRule& rule, const AlertDecision& d) {
  const api::ModelMonitor& m = r.monitor;
  api::ModelMonitorStatus& status = r.status();
  const ActionCause cause = CauseOf(rule, d, r.now);
  switch (rule.action) {
    case api::Action::kNone:
      AddRecord(status, RecordedOnly(cause));
      return;
    case api::Action::kRollback:
    case api::Action::kRetrain:
      break;
  }
  const PolicyVerdict verdict =
      CheckRemediationPolicy(m.spec.remediation, status.remediations, r.now);
  if (!verdict.allowed) {
    if (!EpisodeSkipRecorded(status.remediations, rule.name, d.since)) {
      api::RemediationRecord skipped;
      skipped.time = FormatRfc3339(r.now);
      skipped.alert = rule.name;
      skipped.action = rule.action;
      skipped.result = api::RemediationResult::kSkipped;
      skipped.value = d.value;
      skipped.message = verdict.reason + ": " + verdict.message;
      AddRecord(status, skipped);
      Event(m, true, verdict.reason, "Remediate",
            std::string(api::ToString(rule.action)) + " for alert " + rule.name +
                " not taken: " + verdict.message);
    }
    return;
  }
  // Persists the Started record (and with it the episode) before the action.
  auto record_intent = [&](const api::RemediationRecord& intent) {
    api::ModelMonitorStatus with_intent = status;
    AddRecord(with_intent, intent);
    SetCondition(
        with_intent,
        {"Remediating", "True", m.metadata.generation, "", "ActionRunning", intent.message}, r.now);
    return WriteStatus(r, with_intent);
  };
  ActionOutcome outcome =
      d_.remediator.Take(rule.action, m, cause, m.spec.remediation.dry_run, record_intent);
  // A refusal that changes nothing is recorded once per episode, like a skip.
  if (outcome.record.result == api::RemediationResult::kSkipped &&
      EpisodeSkipRecorded(status.remediations, rule.name, d.since)) {
    return;
  }
  PutRecord(status, outcome.record);
  Event(m, outcome.warning, outcome.reason, std::string(EventAction(rule.action)), outcome.note);
}

}  // namespace mm::op
