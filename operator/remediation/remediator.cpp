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
  const RollbackPlan plan =
      PlanRollback(dep.body, replicasets, m.spec.remediation.rollback_to_revision);
  out.record.from_revision = plan.from_revision;
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
  if (!record_intent(out.record)) {
    return fail(RemediationResult::kFailed, "RollbackFailed",
                "could not record the intent in status first; not rolled back");
  }
  const std::string note = RollbackNote(ns, m.metadata.name, out.record);
  auto patched =
      client_.Patch(dep_path.Url(), RollbackPatch(dep.body, plan, note), kube::PatchType::kJson);
  if (!patched.ok()) {
    return fail(RemediationResult::kFailed, "RollbackFailed",
                "patching Deployment " + name + " failed (HTTP " + std::to_string(patched.status) +
                    "): " + patched.Message());
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
  RetrainContext ctx;
  ctx.ns = m.metadata.namespace_name;
  ctx.monitor = m.metadata.name;
  ctx.monitor_uid = m.metadata.uid;
  ctx.alert = cause.alert;
  ctx.episode = FormatRfc3339(cause.episode);
  ctx.value = cause.value;
  ctx.window = cause.window;
  ctx.data_to = FormatRfc3339(cause.now);
  auto window = api::ParseDuration(cause.window);
  ctx.data_from = FormatRfc3339(cause.now - std::chrono::duration_cast<SystemTime::duration>(
                                                window ? *window : api::Duration{}));
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
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = "creating Job " + out.record.job + " failed (HTTP " +
                         std::to_string(created.status) + "): " + created.Message();
    out.reason = "RetrainFailed";
    out.warning = true;
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
  if (job.status == 404) {
    out.record.result = api::RemediationResult::kFailed;
    out.record.message = started.message.rfind(kCreatingJob, 0) == 0
                             ? "interrupted before Job " + started.job +
                                   " was created; not retried (at most one Job per episode)"
                             : "Job " + started.job + " was deleted before it finished";
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
