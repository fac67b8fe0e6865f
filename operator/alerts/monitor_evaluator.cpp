#include "operator/alerts/monitor_evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/label_selector.h"
#include "common/kube/resource_path.h"
#include "common/kube/status_update.h"
#include "common/log.h"
#include "operator/alerts/monitor_window.h"
#include "operator/reconcile/monitor_view.h"
#include "operator/remediation/remediation_policy.h"
#include "operator/webhook/injection_report.h"

namespace mm::op {
namespace {

using api::AlertState;
using nlohmann::json;

// Four significant digits: what a person reads, and a status that does not
// change on every evaluation by the last bit of a ratio.
double Rounded(double v) { return std::strtod(FormatValue(v).c_str(), nullptr); }

int64_t UnixSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Why the pods that did not answer did not, for messages: "2 of 5 pods did not
// answer (a: connection refused; b: HTTP 403 ...)". Empty when all answered.
std::string Unanswered(const Collection& c) {
  if (c.failed.empty()) return "";
  std::string out = std::to_string(c.failed.size()) + " of " + std::to_string(c.asked()) +
                    " pods did not answer (";
  for (size_t i = 0; i < c.failed.size() && i < 5; ++i) {
    if (i) out += "; ";
    out += c.failed[i].pod + ": " + c.failed[i].reason;
  }
  if (c.failed.size() > 5) out += "; ...";
  return out + ")";
}

void SetCondition(api::ModelMonitorStatus& s, api::Condition c, SystemTime now) {
  for (auto& old : s.conditions) {
    if (old.type != c.type) continue;
    c.last_transition_time = old.status == c.status && !old.last_transition_time.empty()
                                 ? old.last_transition_time
                                 : FormatRfc3339(now);
    old = std::move(c);
    return;
  }
  c.last_transition_time = FormatRfc3339(now);
  s.conditions.push_back(std::move(c));
}

void AddRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r) {
  s.remediations.push_back(r);
  while (s.remediations.size() > api::kMaxRemediationRecords) {
    s.remediations.erase(s.remediations.begin());
  }
  s.last_action = std::string(api::ToString(r.action)) + " " + std::string(api::ToString(r.result));
}

// Replaces the record with the same time, alert and action (the intent written
// before a rollback) by its outcome, or appends it.
void PutRecord(api::ModelMonitorStatus& s, const api::RemediationRecord& r) {
  for (auto& old : s.remediations) {
    if (old.time == r.time && old.alert == r.alert && old.action == r.action) {
      old = r;
      s.last_action =
          std::string(api::ToString(r.action)) + " " + std::string(api::ToString(r.result));
      return;
    }
  }
  AddRecord(s, r);
}

}  // namespace

void MonitorEvaluator::Event(const api::ModelMonitor& m, bool warning, const std::string& reason,
                             const std::string& action, const std::string& note) {
  if (!d_.events) return;
  d_.events->Record(
      {kApiVersion, kKind, m.metadata.namespace_name, m.metadata.name, m.metadata.uid},
      warning ? EventRecorder::Type::kWarning : EventRecorder::Type::kNormal, reason, action, note);
}

bool MonitorEvaluator::WriteStatus(const std::string& ns, const std::string& name, json& current,
                                   const api::ModelMonitorStatus& status) {
  if (!d_.may_write()) return false;
  const json mine = api::ToJson(status);
  const kube::ResourcePath path{kApiVersion, kResource, ns, name};
  auto update = kube::UpdateStatus(
      d_.client, path,
      [&](const json& cur) -> std::optional<json> {
        json before = cur.value("status", json::object());
        if (!before.is_object()) before = json::object();
        json desired = before;
        for (const char* key :
             {"alerts", "metrics", "firingAlerts", "lastAction", "remediations"}) {
          if (mine.contains(key)) {
            desired[key] = mine[key];
          } else {
            desired.erase(key);
          }
        }
        json conditions = json::array();
        for (const auto& c : before.value("conditions", json::array())) {
          const std::string type = c.is_object() ? c.value("type", "") : "";
          if (type != "Alerting" && type != "Remediating") conditions.push_back(c);
        }
        for (const auto& c : mine.value("conditions", json::array())) {
          const std::string type = c.value("type", "");
          if (type == "Alerting" || type == "Remediating") conditions.push_back(c);
        }
        desired["conditions"] = conditions;
        json a = before, b = desired;  // the evaluation time alone is no change
        if (a.contains("metrics")) a["metrics"].erase("time");
        if (b.contains("metrics")) b["metrics"].erase("time");
        if (a == b || !d_.may_write()) return std::nullopt;
        return desired;
      },
      &current);
  if (!update.response.ok()) {
    log::Warning("alert status update failed", {{"monitor", ns + "/" + name},
                                                {"status", update.response.status},
                                                {"error", update.response.Message()}});
    return false;
  }
  if (update.written) current = update.response.body;
  log::Debug("alert status", {{"monitor", ns + "/" + name},
                              {"written", update.written},
                              {"conflicts", update.conflicts},
                              {"firingAlerts", status.firing_alerts}});
  return true;
}

void MonitorEvaluator::Evaluate(const std::string& ns, const std::string& name) {
  if (!d_.may_write()) return;
  // Status times are whole seconds: records and states are stamped with the clock
  // rounded up; the alerts' `for` is measured on the exact clock (EvaluateRule).
  const SystemTime exact_now = d_.now();
  const SystemTime now = std::chrono::ceil<std::chrono::seconds>(exact_now);
  const int64_t now_unix = UnixSeconds(now);
  const kube::ResourcePath path{kApiVersion, kResource, ns, name};
  auto got = d_.client.Get(path.Url());
  if (!got.ok()) {
    if (got.status != 404) {
      log::Warning("cannot read monitor for evaluation",
                   {{"monitor", ns + "/" + name}, {"error", got.Message()}});
    }
    return;
  }
  json current = std::move(got.body);
  auto spec = api::ParseModelMonitorSpec(current.value("spec", json::object()));
  if (!spec) return;  // the reconciler reports spec errors
  api::ModelMonitor m;
  m.metadata.name = name;
  m.metadata.namespace_name = ns;
  m.metadata.uid = current["metadata"].value("uid", "");
  m.metadata.generation = current["metadata"].value("generation", int64_t{0});
  m.spec = std::move(spec.value());
  if (current.contains("status")) {
    auto st = api::ParseModelMonitorStatus(current["status"]);
    if (st) {
      m.status = std::move(st.value());
    } else {
      log::Warning("status unreadable; alert states start over",
                   {{"monitor", ns + "/" + name}, {"error", st.error().message}});
    }
  }
  api::ModelMonitorStatus& status = m.status;
  if (m.spec.alerts.empty()) {
    // No alerts (any more): nothing to pull; clear what earlier alerts left.
    if (!status.alerts.empty() || status.firing_alerts != 0 || status.metrics) {
      status.alerts.clear();
      status.firing_alerts = 0;
      status.metrics.reset();
      SetCondition(
          status,
          {"Alerting", "False", m.metadata.generation, "", "NoAlerts", "spec.alerts is empty"},
          now);
      WriteStatus(ns, name, current, status);
    }
    return;
  }

  // Actions still running: their end.
  for (auto& r : status.remediations) {
    if (r.result != api::RemediationResult::kStarted) continue;
    if (auto done = d_.remediator.Follow(m, r)) {
      r = done->record;
      status.last_action =
          std::string(api::ToString(r.action)) + " " + std::string(api::ToString(r.result));
      Event(m, done->warning, done->reason,
            api::ToString(r.action) == "retrain" ? "Retrain" : "Rollback", done->note);
    }
  }

  // The monitor's sidecars: every matched pod carrying one; the Ready ones are asked.
  std::vector<SidecarEndpoint> endpoints;
  int not_ready = 0;
  auto selector = kube::LabelSelector::FromJson(current["spec"].value("selector", json::object()));
  if (selector) {
    d_.pods.ForEach(ns, [&](const json& pod) {
      const auto labels = pod["metadata"].value("labels", json::object());
      if (!selector->Matches(labels)) return;
      if (webhook::ClassifyMatchedPod(name, pod) != webhook::PodInjection::kInjected) return;
      if (auto e = SidecarEndpointOf(name, pod); e && e->ready) {
        endpoints.push_back(*e);
      } else {
        ++not_ready;
      }
    });
  }
  std::sort(endpoints.begin(), endpoints.end(),
            [](const SidecarEndpoint& a, const SidecarEndpoint& b) { return a.pod < b.pod; });

  api::Duration longest{0};
  for (const auto& a : m.spec.alerts) longest = std::max(longest, a.window);
  // One bucket of slack on each side of the longest window (accuracy buckets are 60 s).
  const int64_t since =
      now_unix - std::chrono::duration_cast<std::chrono::seconds>(longest).count() - 120;

  Collection collection;
  std::string token_error;
  if (!endpoints.empty()) {
    const kube::ResourcePath secret{"v1", "secrets", ns, api::TokenSecretName(name)};
    auto s = d_.client.Get(secret.Url());
    std::string token;
    if (!s.ok()) {
      token_error = "cannot read Secret " + api::TokenSecretName(name) + ": " + s.Message();
    } else {
      const std::string encoded =
          s.body.value("data", json::object()).value(std::string(api::kAdminTokenKey), "");
      auto decoded = Base64Decode(encoded);
      if (encoded.empty() || !decoded || decoded->empty()) {
        token_error = "Secret " + api::TokenSecretName(name) + " has no key " +
                      std::string(api::kAdminTokenKey);
      } else {
        token = std::move(decoded.value());
      }
    }
    if (token_error.empty()) {
      collection = d_.collector.Collect(endpoints, since, token);
    } else {
      for (const auto& e : endpoints) collection.failed.push_back({e.pod, token_error});
    }
  }
  const MonitorWindow window = MonitorWindow::Merge(collection);
  const std::string unanswered = Unanswered(collection);
  if (!collection.failed.empty()) {
    Event(m, true, token_error.empty() ? "SidecarsUnreachable" : "AdminTokenMissing", "Evaluate",
          unanswered);
    log::Warning("sidecars did not answer", {{"monitor", ns + "/" + name},
                                             {"failed", collection.failed.size()},
                                             {"asked", collection.asked()},
                                             {"detail", unanswered}});
  }

  // Each alert's state machine.
  std::map<std::string, AlertMemory> memory;
  for (const auto& a : status.alerts) {
    memory[a.name] = AlertMemory{a.state, a.value, ParseRfc3339(a.since)};
  }
  std::vector<api::AlertStatus> alerts;
  std::vector<AlertDecision> decisions;
  int firing = 0;
  for (const auto& rule : m.spec.alerts) {
    Measurement measured = window.Measure(rule.metric, rule.window, now_unix);
    if (window.pods() == 0 && endpoints.empty()) {
      measured.why = "no Ready pod with the sidecar (" + std::to_string(not_ready) + " not ready)";
    }
    AlertDecision d = EvaluateRule(rule, measured, memory[rule.name], exact_now);
    for (const auto& report : status.external_alerts) {
      if (report.name == rule.name) ApplyExternalAlert(report, exact_now, &d);
    }
    if (d.value) d.value = Rounded(*d.value);
    api::AlertStatus s;
    s.name = rule.name;
    s.state = d.state;
    s.value = d.value;
    s.threshold = rule.threshold;
    s.samples = d.samples;
    s.since = FormatRfc3339(d.since);
    s.message = d.message + (unanswered.empty() ? "" : "; " + unanswered);
    if (s.message.size() > 1000) s.message.resize(1000);
    if (d.state == AlertState::kFiring) ++firing;
    if (d.transitioned()) {
      static const std::map<AlertState, std::string> kReason = {
          {AlertState::kPending, "AlertPending"},
          {AlertState::kFiring, "AlertFiring"},
          {AlertState::kInactive, "AlertResolved"},
          {AlertState::kInconclusive, "AlertInconclusive"}};
      std::string reason = kReason.at(d.state);
      if (d.state == AlertState::kInactive && d.previous == AlertState::kInconclusive) {
        reason = "AlertInactive";
      }
      const bool warning = d.state == AlertState::kPending || d.state == AlertState::kFiring;
      Event(m, warning, reason, "Evaluate",
            "alert " + rule.name + " " + std::string(api::ToString(d.previous)) + " -> " +
                std::string(api::ToString(d.state)) + ": " + d.message);
      log::Info("alert transition", {{"monitor", ns + "/" + name},
                                     {"alert", rule.name},
                                     {"from", api::ToString(d.previous)},
                                     {"to", api::ToString(d.state)},
                                     {"message", d.message}});
    }
    alerts.push_back(std::move(s));
    decisions.push_back(std::move(d));
  }
  status.alerts = alerts;
  status.firing_alerts = firing;

  // status.metrics: every metric the data gives, over the longest alert window.
  api::MetricsSnapshot metrics;
  metrics.time = FormatRfc3339(now);
  metrics.window = longest;
  metrics.samples = window.Measure(api::Metric::kErrorRate, longest, now_unix).samples;
  for (const auto& info : api::MetricCatalogue()) {
    if (info.needs_labels() &&
        (!m.spec.ground_truth || !info.AppliesTo(m.spec.ground_truth->task))) {
      continue;
    }
    const Measurement v = window.Measure(info.metric, longest, now_unix);
    if (v.value) metrics.values[info.metric] = Rounded(*v.value);
  }
  if (m.spec.ground_truth) {
    metrics.labeled_samples = window.Measure(api::Metric::kAccuracy, longest, now_unix).samples;
    if (m.spec.ground_truth->task == api::Task::kRegression) {
      metrics.labeled_samples = window.Measure(api::Metric::kMae, longest, now_unix).samples;
    }
  }
  status.metrics = metrics;

  // Actions on Firing alerts, within the safeguards.
  for (size_t i = 0; i < m.spec.alerts.size(); ++i) {
    const api::AlertRule& rule = m.spec.alerts[i];
    const AlertDecision& d = decisions[i];
    // A Firing alert measured here has a value; one Alertmanager fired may not.
    if (d.state != AlertState::kFiring || (!d.value && !d.external)) continue;
    if (EpisodeHandled(status.remediations, rule.name, d.since)) continue;
    ActionCause cause;
    cause.alert = rule.name;
    cause.value = d.value;
    cause.from_alertmanager = d.external;
    cause.samples = d.samples;
    cause.threshold = rule.threshold;
    cause.window = api::FormatDuration(rule.window);
    cause.episode = d.since;
    cause.now = now;
    if (rule.action == api::Action::kNone) {
      api::RemediationRecord r;
      r.time = FormatRfc3339(now);
      r.alert = rule.name;
      r.action = api::Action::kNone;
      r.result = api::RemediationResult::kSucceeded;
      r.value = d.value;
      r.message = "action none: recorded only";
      AddRecord(status, r);
      continue;
    }
    const PolicyVerdict verdict =
        CheckRemediationPolicy(m.spec.remediation, status.remediations, now);
    if (!verdict.allowed) {
      if (!EpisodeSkipRecorded(status.remediations, rule.name, d.since)) {
        api::RemediationRecord r;
        r.time = FormatRfc3339(now);
        r.alert = rule.name;
        r.action = rule.action;
        r.result = api::RemediationResult::kSkipped;
        r.value = d.value;
        r.message = verdict.reason + ": " + verdict.message;
        AddRecord(status, r);
        Event(m, true, verdict.reason, "Remediate",
              std::string(api::ToString(rule.action)) + " for alert " + rule.name +
                  " not taken: " + verdict.message);
      }
      continue;
    }
    const bool dry_run = m.spec.remediation.dry_run;
    // Persists the Started record (and with it the episode) before the action.
    auto record_intent = [&](const api::RemediationRecord& r) {
      api::ModelMonitorStatus with_intent = status;
      AddRecord(with_intent, r);
      SetCondition(with_intent,
                   {"Remediating", "True", m.metadata.generation, "", "ActionRunning", r.message},
                   now);
      return WriteStatus(ns, name, current, with_intent);
    };
    ActionOutcome outcome = rule.action == api::Action::kRollback
                                ? d_.remediator.Rollback(m, cause, dry_run, record_intent)
                                : d_.remediator.Retrain(m, cause, dry_run, record_intent);
    // A refusal that changes nothing is recorded once per episode, like a skip.
    if (outcome.record.result == api::RemediationResult::kSkipped &&
        EpisodeSkipRecorded(status.remediations, rule.name, d.since)) {
      continue;
    }
    PutRecord(status, outcome.record);
    Event(m, outcome.warning, outcome.reason,
          rule.action == api::Action::kRollback ? "Rollback" : "Retrain", outcome.note);
  }

  // Conditions this evaluator owns.
  std::string firing_names;
  for (const auto& a : status.alerts) {
    if (a.state != AlertState::kFiring) continue;
    firing_names += (firing_names.empty() ? "" : ", ") + a.name;
  }
  api::Condition alerting{
      "Alerting",
      firing > 0 ? "True" : "False",
      m.metadata.generation,
      "",
      firing > 0 ? "AlertsFiring"
                 : (collection.failed.empty() ? "NoAlertsFiring" : "SidecarsUnreachable"),
      ""};
  alerting.message = firing > 0 ? "firing: " + firing_names : "no alert is firing";
  alerting.message += "; " + std::to_string(window.pods()) + " of " +
                      std::to_string(endpoints.size()) + " Ready pods answered" +
                      (not_ready ? ", " + std::to_string(not_ready) + " not Ready" : "");
  if (!unanswered.empty()) alerting.message += "; " + unanswered;
  SetCondition(status, alerting, now);
  std::string running;
  for (const auto& r : status.remediations) {
    if (r.result == api::RemediationResult::kStarted) {
      running += (running.empty() ? "" : ", ") + std::string(api::ToString(r.action)) + " for " +
                 r.alert + (r.job.empty() ? "" : " (Job " + r.job + ")");
    }
  }
  SetCondition(status,
               {"Remediating", running.empty() ? "False" : "True", m.metadata.generation, "",
                running.empty() ? "Idle" : "ActionRunning",
                running.empty() ? "no action is running" : running},
               now);
  WriteStatus(ns, name, current, status);
}

}  // namespace mm::op
