#include "operator/remediation/remediator.h"

#include "common/format_value.h"
#include "common/kube/resource_path.h"
#include "common/log.h"
#include "operator/remediation/retrain_job.h"
#include "operator/remediation/revision_selector.h"

namespace mm::op {
namespace {

using api::RemediationResult;

// The message of a retrain's intent record, before the Job exists.
constexpr const char* kCreatingJob = "creating Job ";

// Reads, plans and patches of one rollback before a conflict waits for the
// next evaluation.
constexpr int kConflictAttempts = 3;

// Whether a patch failed only because the object changed since it was read:
// 409 Conflict, or the JSON patch's resourceVersion `test` failing (422 or 409,
// depending on the API server's version).
bool IsConflict(const kube::ApiResponse& r) {
  if (r.status == 409) return true;
  return r.status == 422 && r.Message().find("test") != std::string::npos;
}

api::RemediationRecord NewRecord(const ActionCause& c, api::Action action) {
  api::RemediationRecord r;
  r.time = FormatRfc3339(c.now);
  r.alert = c.alert;
  r.action = action;
  r.value = c.value;
  return r;
}

std::string Because(const ActionCause& c) {
  return "alert " + c.alert +
         (c.from_alertmanager ? " fired in Alertmanager with value " : " measured ") +
         FormatValue(c.value) + " (threshold " + FormatValue(c.threshold) + ", window " + c.window +
         ", " + std::to_string(c.samples) + " samples)";
}

// What the Job of `alert`'s episode is told; `now` ends the data window.
RetrainContext RetrainContextOf(const api::ModelMonitor& m, const std::string& alert,
                                const std::string& episode, const std::optional<double>& value,
                                const std::string& window, SystemTime now) {
  RetrainContext ctx;
  ctx.ns = m.metadata.namespace_name;
  ctx.monitor = m.metadata.name;
  ctx.monitor_uid = m.metadata.uid;
  ctx.alert = alert;
  ctx.episode = episode;
  ctx.value = value;
  ctx.window = window;
  ctx.data_to = FormatRfc3339(now);
  auto length = api::ParseDuration(window);
  ctx.data_from = FormatRfc3339(
      now - std::chrono::duration_cast<SystemTime::duration>(length ? *length : api::Duration{}));
  return ctx;
}

// Whether a Job that could not be created may be created later: forbidden
// (e.g. a quota), throttled, the server's fault or unreachable; not an invalid Job.
bool RetryableCreate(int status) {
  return status == 0 || status == 403 || status == 429 || status >= 500;
}

}  // namespace

std::string_view EventAction(api::Action action) {
  switch (action) {
    case api::Action::kRollback:
      return "Rollback";
    case api::Action::kRetrain:
      return "Retrain";
    case api::Action::kNone:
      return "None";
  }
  return "None";
}

ActionOutcome Remediator::Take(
    api::Action action, const api::ModelMonitor& m, const ActionCause& cause, bool dry_run,
    const std::function<bool(const api::RemediationRecord&)>& record_intent) {
  switch (action) {
    case api::Action::kRollback:
      return Rollback(m, cause, dry_run, record_intent);
    case api::Action::kRetrain:
      return Retrain(m, cause, dry_run, record_intent);
    case api::Action::kNone:
      break;
  }
  ActionOutcome out;
  out.record = NewRecord(cause, action);
  out.record.result = RemediationResult::kSkipped;
  out.record.message = "action none changes nothing";
  out.reason = "NoAction";
  out.note = out.record.message + "; " + Because(cause);
  return out;
}

std::string Remediator::RollbackNote(const std::string& ns, const std::string& monitor,
                                     const api::RemediationRecord& r) {
  return "ModelMonitor " + ns + "/" + monitor + " alert " + r.alert + " at " + r.time +
         ": revision " + std::to_string(r.from_revision.value_or(0)) + " -> " +
         std::to_string(r.to_revision.value_or(0));
}

ActionOutcome Remediator::Rollback(
    const api::ModelMonitor& m, const ActionCause& cause, bool dry_run,
    const std::function<bool(const api::RemediationRecord&)>& record_intent) {
  ActionOutcome out;
  out.record = NewRecord(cause, api::Action::kRollback);
  const std::string& ns = m.metadata.namespace_name;
  const std::string& name = m.spec.target.name;
  auto fail = [&](RemediationResult result, std::string reason, std::string message) {
    out.record.result = result;
    out.record.message = message;
    out.reason = std::move(reason);
    out.warning = true;
    out.note = "rollback of Deployment " + name + " not done: " + message + "; " + Because(cause);
    return out;
  };
  if (m.spec.target.kind != "Deployment" || name.empty()) {
    return fail(RemediationResult::kSkipped, "RollbackImpossible",
                "spec.target names no Deployment");
  }
  const kube::ResourcePath dep_path{"apps/v1", "deployments", ns, name};
  // The templates this monitor's earlier rollbacks rolled away from: never back to them.
  std::vector<int64_t> rolled_away_from;
  for (const auto& r : m.status.remediations) {
    if (r.action == api::Action::kRollback && r.from_revision &&
        (r.result == RemediationResult::kSucceeded || r.result == RemediationResult::kStarted)) {
      rolled_away_from.push_back(*r.from_revision);
    }
  }
  // A resourceVersion conflict (someone changed the Deployment between the read
  // and the patch) is no failure: read, plan and patch again, a few times here
  // and then at the next evaluation (recorded Skipped: it spends nothing).
  std::optional<api::RemediationRecord> intent;
  RollbackPlan plan;
  for (int attempt = 1;; ++attempt) {
    auto dep = client_.Get(dep_path.Url());
    if (!dep.ok()) {
      return fail(dep.status == 404 ? RemediationResult::kSkipped : RemediationResult::kFailed,
                  "RollbackFailed", "cannot read Deployment " + name + ": " + dep.Message());
    }
    kube::ResourcePath rs_path{"apps/v1", "replicasets", ns};
    const auto selector = dep.body["spec"].value("selector", nlohmann::json::object());
    std::string query;
    const nlohmann::json match_labels = selector.value("matchLabels", nlohmann::json::object());
    for (const auto& [k, v] : match_labels.items()) {
      if (!query.empty()) query += ",";
      query += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (!query.empty()) rs_path.query["labelSelector"] = query;
    auto rs_list = client_.Get(rs_path.Url());
    if (!rs_list.ok()) {
      return fail(RemediationResult::kFailed, "RollbackFailed",
                  "cannot list ReplicaSets: " + rs_list.Message());
    }
    std::vector<nlohmann::json> replicasets;
    if (rs_list.body.contains("items") && rs_list.body["items"].is_array()) {
      for (const auto& rs : rs_list.body["items"]) replicasets.push_back(rs);
    }
    plan = PlanRollback(dep.body, replicasets, m.spec.remediation.rollback_to_revision,
                        rolled_away_from);
    out.record.from_revision = plan.from_revision;
    out.record.to_revision.reset();
    if (!plan.ok()) {
      // Nothing safe to do: say so and change nothing (not an action: no budget spent).
      return fail(RemediationResult::kSkipped, plan.refusal, plan.message);
    }
    out.record.to_revision = plan.to_revision;
    if (dry_run) {
      out.record.result = RemediationResult::kDryRun;
      out.record.message = "dryRun: would roll back " + plan.message;
      out.reason = "RollbackDryRun";
      out.note = out.record.message + "; " + Because(cause);
      return out;
    }
    out.record.result = RemediationResult::kStarted;
    out.record.message = "rolling back " + plan.message;
    // The intent names the revisions (the annotation a restarted leader looks
    // for): recorded again when a new plan changed them.
    if (!intent || intent->from_revision != out.record.from_revision ||
        intent->to_revision != out.record.to_revision) {
      if (!record_intent(out.record)) {
        return fail(RemediationResult::kFailed, "RollbackFailed",
                    "could not record the intent in status first; not rolled back");
      }
      intent = out.record;
    }
    const std::string note = RollbackNote(ns, m.metadata.name, out.record);
    auto patched =
        client_.Patch(dep_path.Url(), RollbackPatch(dep.body, plan, note), kube::PatchType::kJson);
    if (patched.ok()) break;
    if (!IsConflict(patched)) {
      return fail(RemediationResult::kFailed, "RollbackFailed",
                  "patching Deployment " + name + " failed (HTTP " +
                      std::to_string(patched.status) + "): " + patched.Message());
    }
    if (attempt == kConflictAttempts) {
      return fail(RemediationResult::kSkipped, "RollbackConflict",
                  "Deployment " + name + " changed during each of " +
                      std::to_string(kConflictAttempts) +
                      " tries (resourceVersion conflict); tried again at the next evaluation");
    }
  }
  out.record.result = RemediationResult::kSucceeded;
  out.record.message = "rolled back " + plan.message;
  out.reason = "RolledBack";
  out.note = out.record.message + "; " + Because(cause);
  log::Info("rolled back", {{"deployment", ns + "/" + name},
                            {"fromRevision", plan.from_revision},
                            {"toRevision", plan.to_revision},
                            {"alert", cause.alert},
                            {"value", FormatValue(cause.value)}});
  return out;
}

ActionOutcome Remediator::Retrain(
    const api::ModelMonitor& m, const ActionCause& cause, bool dry_run,
    const std::function<bool(const api::RemediationRecord&)>& record_intent) {
  ActionOutcome out;
  out.record = NewRecord(cause, api::Action::kRetrain);
  const RetrainContext ctx = RetrainContextOf(m, cause.alert, FormatRfc3339(cause.episode),
                                              cause.value, cause.window, cause.now);
  out.record.job = RetrainJobName(ctx);
  if (!m.spec.remediation.retrain_job_template) {
    out.record.result = api::RemediationResult::kSkipped;
    out.record.message = "action retrain needs remediation.retrain.jobTemplate";
    out.reason = "RetrainImpossible";
    out.warning = true;
    out.note = out.record.message + "; " + Because(cause);
    return out;
  }
  auto job = BuildRetrainJob(*m.spec.remediation.retrain_job_template, ctx);
  if (!job) {
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = job.error().message;
    out.reason = "RetrainFailed";
    out.warning = true;
    out.note = out.record.message + "; " + Because(cause);
    return out;
  }
  if (dry_run) {
    out.record.result = api::RemediationResult::kDryRun;
    out.record.message = "dryRun: would create Job " + out.record.job;
    out.reason = "RetrainDryRun";
    out.note = out.record.message + "; " + Because(cause);
    return out;
  }
  out.record.result = api::RemediationResult::kStarted;
  out.record.message = std::string(kCreatingJob) + out.record.job;
  if (!record_intent(out.record)) {
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = "could not record the intent in status first; Job not created";
    out.reason = "RetrainFailed";
    out.warning = true;
    out.note = out.record.message + "; " + Because(cause);
    return out;
  }
  auto created = client_.Create(kube::ResourcePath{"batch/v1", "jobs", ctx.ns}.Url(), *job);
  if (!created.ok() && created.status != 409) {
    const std::string why = "(HTTP " + std::to_string(created.status) + "): " + created.Message();
    out.warning = true;
    if (RetryableCreate(created.status)) {
      // Still the intent: Follow creates the Job at a later evaluation, this
      // leader's or the next one's (the episode's name: never a second Job).
      out.record.message = std::string(kCreatingJob) + out.record.job + " " + why +
                           "; tried again at the next evaluation";
      out.reason = "RetrainJobNotCreated";
    } else {
      out.record.result = api::RemediationResult::kFailed;
      out.record.message = "creating Job " + out.record.job + " failed " + why;
      out.reason = "RetrainFailed";
    }
    out.note = out.record.message + "; " + Because(cause);
    return out;
  }
  out.record.result = api::RemediationResult::kStarted;
  out.record.message = created.ok() ? "created Job " + out.record.job
                                    : "Job " + out.record.job + " already exists (this episode's)";
  out.reason = "RetrainJobCreated";
  out.note = out.record.message + "; " + Because(cause);
  return out;
}

std::optional<ActionOutcome> Remediator::Follow(const api::ModelMonitor& m,
                                                const api::RemediationRecord& started) {
  switch (started.action) {
    case api::Action::kRetrain:
      return FollowRetrain(m, started);
    case api::Action::kRollback:
      return FollowRollback(m, started);
    case api::Action::kNone:
      return std::nullopt;  // recorded only, never Started
  }
  return std::nullopt;
}

std::optional<ActionOutcome> Remediator::FollowRetrain(const api::ModelMonitor& m,
                                                       const api::RemediationRecord& started) {
  ActionOutcome out;
  out.record = started;
  auto job = client_.Get(
      kube::ResourcePath{"batch/v1", "jobs", m.metadata.namespace_name, started.job}.Url());
  if (job.status == 404 && started.message.rfind(kCreatingJob, 0) == 0) {
    // The leader that recorded the intent stopped before the Job existed. The
    // name is the episode's, so creating it now can only ever make one Job.
    return CreateInterruptedJob(m, started);
  }
  if (job.status == 404) {
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = "Job " + started.job + " was deleted before it finished";
  } else if (!job.ok()) {
    return std::nullopt;  // ask again next time
  } else {
    auto outcome = JobOutcome(job.body);
    if (!outcome) return std::nullopt;
    out.record.result = *outcome == "Complete" ? api::RemediationResult::kSucceeded
                                               : api::RemediationResult::kFailed;
    out.record.message = "Job " + started.job + (*outcome == "Complete" ? " completed" : " failed");
  }
  const bool succeeded = out.record.result == api::RemediationResult::kSucceeded;
  out.reason = succeeded ? "RetrainSucceeded" : "RetrainFailed";
  out.warning = !succeeded;
  out.note = out.record.message;
  return out;
}

std::optional<ActionOutcome> Remediator::CreateInterruptedJob(
    const api::ModelMonitor& m, const api::RemediationRecord& started) {
  ActionOutcome out;
  out.record = started;
  out.reason = "RetrainJobCreated";
  // The episode is not in the record, but the Job's name hashes it: it is the
  // alert's current episode (status.alerts since, or Alertmanager's startsAt)
  // when the names agree; otherwise the episode is over and so is the retrain.
  std::vector<std::string> episodes;
  auto add = [&](const std::string& since) {
    if (auto t = ParseRfc3339(since)) episodes.push_back(FormatRfc3339(*t));
  };
  for (const auto& a : m.status.alerts) {
    if (a.name == started.alert) add(a.since);
  }
  for (const auto& e : m.status.external_alerts) {
    if (e.name == started.alert) add(e.since);
  }
  std::string window;
  for (const auto& rule : m.spec.alerts) {
    if (rule.name == started.alert) window = api::FormatDuration(rule.window);
  }
  const auto time = ParseRfc3339(started.time);
  std::optional<RetrainContext> ctx;
  for (const auto& episode : episodes) {
    RetrainContext c = RetrainContextOf(m, started.alert, episode, started.value, window,
                                        time.value_or(SystemTime{}));
    if (time && RetrainJobName(c) == started.job) ctx = std::move(c);
  }
  auto failed = [&](std::string message) {
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = std::move(message);
    out.reason = "RetrainFailed";
    out.warning = true;
    out.note = out.record.message;
    return out;
  };
  if (!ctx || !m.spec.remediation.retrain_job_template) {
    return failed("interrupted before Job " + started.job +
                  " was created, and the alert's episode is over: not retried");
  }
  auto job = BuildRetrainJob(*m.spec.remediation.retrain_job_template, *ctx);
  if (!job) return failed(job.error().message);
  auto created = client_.Create(kube::ResourcePath{"batch/v1", "jobs", ctx->ns}.Url(), *job);
  if (!created.ok() && created.status != 409) {
    if (!RetryableCreate(created.status)) {
      return failed("creating Job " + started.job + " failed (HTTP " +
                    std::to_string(created.status) + "): " + created.Message());
    }
    log::Warning("retrain Job not created; tried again at the next evaluation",
                 {{"job", started.job}, {"status", created.status}, {"error", created.Message()}});
    return std::nullopt;
  }
  out.record.result = api::RemediationResult::kStarted;
  out.record.message = created.ok()
                           ? "created Job " + started.job + " (its creation had been interrupted)"
                           : "Job " + started.job + " already exists (this episode's)";
  out.note = out.record.message;
  return out;
}

std::optional<ActionOutcome> Remediator::FollowRollback(const api::ModelMonitor& m,
                                                        const api::RemediationRecord& started) {
  ActionOutcome out;
  out.record = started;
  const std::string& ns = m.metadata.namespace_name;
  auto dep =
      client_.Get(kube::ResourcePath{"apps/v1", "deployments", ns, m.spec.target.name}.Url());
  if (!dep.ok() && dep.status != 404) return std::nullopt;
  const std::string expected = RollbackNote(ns, m.metadata.name, started);
  const bool landed = dep.ok() && dep.body["metadata"]
                                          .value("annotations", nlohmann::json::object())
                                          .value("modelmonitor.io/rollback", "") == expected;
  out.record.result = landed ? api::RemediationResult::kSucceeded : api::RemediationResult::kFailed;
  out.record.message = landed ? "rolled back (confirmed after an operator restart)"
                              : "interrupted before the Deployment was patched; not retried";
  out.reason = landed ? "RolledBack" : "RollbackFailed";
  out.warning = !landed;
  out.note = "rollback: " + out.record.message;
  return out;
}

}  // namespace mm::op
