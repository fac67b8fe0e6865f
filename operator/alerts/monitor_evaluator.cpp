// The evaluation of one ModelMonitor as a sequence of steps over a Round
// (evaluation_round.h): fetch, follow running actions, find the sidecars,
// collect their snapshots, step the alerts' state machines, measure
// status.metrics, act on Firing alerts (evaluator_actions.cpp), set the
// conditions and write. Each step reads what the earlier ones put in the Round.
#include "operator/alerts/monitor_evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common/api/monitor_tokens.h"
#include "common/api/parsed_monitor.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "common/kube/status_update.h"
#include "common/log.h"
#include "operator/alerts/evaluation_round.h"
#include "operator/alerts/evaluator_status.h"
#include "operator/alerts/monitor_window.h"
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

// The sidecars' admin token (Secret <monitor>-admin-token), or why it cannot be had.
Result<std::string> AdminToken(kube::KubeClient& client, const std::string& ns,
                               const std::string& monitor) {
  const std::string secret_name = api::TokenSecretName(monitor);
  auto s = client.Get(kube::ResourcePath{"v1", "secrets", ns, secret_name}.Url());
  if (!s.ok()) return Error{"cannot read Secret " + secret_name + ": " + s.Message()};
  const std::string encoded =
      s.body.value("data", json::object()).value(std::string(api::kAdminTokenKey), "");
  auto decoded = Base64Decode(encoded);
  if (encoded.empty() || !decoded || decoded->empty()) {
    return Error{"Secret " + secret_name + " has no key " + std::string(api::kAdminTokenKey)};
  }
  return std::move(decoded.value());
}

// What the last evaluation left of each alert (its entry in status.alerts), by
// name: each state machine continues from it, on this leader or the next.
std::map<std::string, AlertMemory> AlertMemories(const api::ModelMonitorStatus& status) {
  std::map<std::string, AlertMemory> memory;
  for (const auto& a : status.alerts) {
    memory[a.name] = AlertMemory{a.state, a.value, ParseRfc3339(a.since), a.smoothed_value,
                                 ParseRfc3339(a.episode_since)};
  }
  return memory;
}

// The Event reason of a transition into `d.state`.
std::string TransitionReason(const AlertDecision& d) {
  switch (d.state) {
    case AlertState::kPending:
      return "AlertPending";
    case AlertState::kFiring:
      return "AlertFiring";
    case AlertState::kInactive:
      // Resolved when an episode ends (from Firing, or Inconclusive after Firing).
      return d.resolved || d.previous != AlertState::kInconclusive ? "AlertResolved"
                                                                   : "AlertInactive";
    case AlertState::kInconclusive:
      return "AlertInconclusive";
  }
  return "AlertInconclusive";
}

}  // namespace

void MonitorEvaluator::Evaluate(const std::string& ns, const std::string& name) {
  if (!d_.may_write()) return;
  Round r;
  r.exact_now = d_.now();
  r.now = std::chrono::ceil<std::chrono::seconds>(r.exact_now);
  r.now_unix = UnixSeconds(r.now);
  if (!Fetch(ns, name, r)) return;
  if (r.monitor.spec.alerts.empty()) {
    ClearAlerts(r);
    return;
  }
  FollowRunningActions(r);
  FindSidecars(r);
  CollectSnapshots(r);
  StepAlerts(r);
  MeasureMetrics(r);
  ActOnFiringAlerts(r);
  SetConditions(r);
  WriteStatus(r, r.status());
}

// Fetch: reads the monitor from the API server (not a cache: the status must be
// the one the last leader wrote) with the one reader, ParsedMonitor::FromJson,
// into r.current, r.monitor and r.selector. False when there is nothing to
// evaluate: the monitor is gone or unreadable, or its spec is refused (the
// reconciler reports that). A status that cannot be read does not stop the
// alerts: it is dropped, and the alert states start over.
bool MonitorEvaluator::Fetch(const std::string& ns, const std::string& name, Round& r) {
  r.key = ns + "/" + name;
  auto got = d_.client.Get(kube::ResourcePath{api::kApiVersion, api::kPlural, ns, name}.Url());
  if (!got.ok()) {
    if (got.status != 404) {
      log::Warning("cannot read monitor for evaluation",
                   {{"monitor", r.key}, {"error", got.Message()}});
    }
    return false;
  }
  r.current = std::move(got.body);
  api::ParsedMonitor read = api::ParsedMonitor::FromJson(r.current);
  if (!read.ok() && r.current.contains("status")) {
    json without_status = r.current;
    without_status.erase("status");
    if (api::ParsedMonitor spec_only = api::ParsedMonitor::FromJson(without_status);
        spec_only.ok()) {
      log::Warning("status unreadable; alert states start over",
                   {{"monitor", r.key}, {"error", read.error}});
      read = std::move(spec_only);
    }
  }
  if (!read.ok()) return false;  // the reconciler reports spec errors
  r.monitor = std::move(*read.monitor);
  r.selector = std::move(*read.selector);
  return true;
}

// No alerts (any more): nothing to pull. Clears what earlier alerts left
// (status.alerts, firingAlerts, metrics), says so in the Alerting condition and
// writes; with nothing to clear, writes nothing. Remediation records stay.
void MonitorEvaluator::ClearAlerts(Round& r) {
  api::ModelMonitorStatus& status = r.status();
  if (status.alerts.empty() && status.firing_alerts == 0 && !status.metrics) return;
  status.alerts.clear();
  status.firing_alerts = 0;
  status.metrics.reset();
  SetCondition(
      status,
      {"Alerting", "False", r.monitor.metadata.generation, "", "NoAlerts", "spec.alerts is empty"},
      r.now);
  WriteStatus(r, status);
}

// FindSidecars: the monitor's sidecars are the pods its selector matches that
// carry its injection. The Ready ones go to r.endpoints, sorted by pod name (a
// stable order of asking and of messages); the others are counted in r.not_ready.
void MonitorEvaluator::FindSidecars(Round& r) {
  const std::string& name = r.monitor.metadata.name;
  d_.pods.ForEachSelected(r.monitor.metadata.namespace_name, r.selector, [&](const json& pod) {
    if (webhook::ClassifyMatchedPod(name, pod) != webhook::PodInjection::kInjected) return;
    if (auto e = SidecarEndpointOf(name, pod); e && e->ready) {
      r.endpoints.push_back(*e);
    } else {
      ++r.not_ready;
    }
  });
  std::sort(r.endpoints.begin(), r.endpoints.end(),
            [](const SidecarEndpoint& a, const SidecarEndpoint& b) { return a.pod < b.pod; });
}

// CollectSnapshots: asks every Ready sidecar for its snapshot since the longest
// alert window (with a bucket of slack on each side) with the admin token, and
// merges the answers into r.window. Every asked pod either answered or is in
// r.collection.failed with why (a missing token fails them all); r.unanswered
// says so for messages, with a warning Event.
void MonitorEvaluator::CollectSnapshots(Round& r) {
  for (const auto& a : r.monitor.spec.alerts) r.longest = std::max(r.longest, a.window);
  // One bucket of slack on each side of the longest window (accuracy buckets are 60 s).
  const int64_t since =
      r.now_unix - std::chrono::duration_cast<std::chrono::seconds>(r.longest).count() - 120;
  if (!r.endpoints.empty()) {
    auto token = AdminToken(d_.client, r.monitor.metadata.namespace_name, r.monitor.metadata.name);
    if (token) {
      r.collection = d_.collector.Collect(r.endpoints, since, *token);
    } else {
      r.token_error = token.error().message;
      for (const auto& e : r.endpoints) r.collection.failed.push_back({e.pod, r.token_error});
    }
  }
  r.window = MonitorWindow::Merge(r.collection);
  r.unanswered = Unanswered(r.collection);
  if (!r.collection.failed.empty()) {
    Event(r.monitor, true, r.token_error.empty() ? "SidecarsUnreachable" : "AdminTokenMissing",
          "Evaluate", r.unanswered);
    log::Warning("sidecars did not answer", {{"monitor", r.key},
                                             {"failed", r.collection.failed.size()},
                                             {"asked", r.collection.asked()},
                                             {"detail", r.unanswered}});
  }
}

// StepAlerts: one step of each alert's state machine (EvaluateRule), from what
// the last evaluation left (AlertMemories) and Alertmanager's reports
// (status.externalAlerts). Replaces status.alerts and firingAlerts; each
// transition gets an Event and a log line. r.decisions keeps the decisions, in
// the order of spec.alerts, for the actions.
void MonitorEvaluator::StepAlerts(Round& r) {
  const api::ModelMonitor& m = r.monitor;
  api::ModelMonitorStatus& status = r.status();
  const MonitorWindow& window = r.window;
  const SystemTime exact_now = r.exact_now;
  const int64_t now_unix = r.now_unix;
  const std::string& unanswered = r.unanswered;
  std::map<std::string, AlertMemory> memory = AlertMemories(status);
  std::vector<api::AlertStatus> alerts;
  int firing = 0;
  for (const auto& rule : m.spec.alerts) {
    Measurement measured = window.Measure(rule.metric, rule.window, now_unix);
    if (window.pods() == 0 && r.endpoints.empty()) {
      measured.why =
          "no Ready pod with the sidecar (" + std::to_string(r.not_ready) + " not ready)";
    }
    AlertDecision d = EvaluateRule(rule, measured, memory[rule.name], exact_now);
    for (const auto& report : status.external_alerts) {
      if (report.name == rule.name) ApplyExternalAlert(report, exact_now, &d);
    }
    // The exact EMA state goes to status beside the rounded value (docs/alerts.md).
    const bool smoothed = rule.smoothing && rule.smoothing->ema_alpha > 0;
    const std::optional<double> exact = smoothed && !d.external ? d.value : std::nullopt;
    if (d.value) d.value = Rounded(*d.value);
    api::AlertStatus s;
    s.name = rule.name;
    s.state = d.state;
    s.value = d.value;
    s.smoothed_value = exact;
    if (d.lower) s.lower_bound = Rounded(*d.lower);
    if (d.upper) s.upper_bound = Rounded(*d.upper);
    s.threshold = rule.threshold;
    s.samples = d.samples;
    s.since = FormatRfc3339(d.since);
    if (d.episode) s.episode_since = FormatRfc3339(*d.episode);
    s.message = d.message + (unanswered.empty() ? "" : "; " + unanswered);
    if (s.message.size() > 1000) s.message.resize(1000);
    if (d.state == AlertState::kFiring) ++firing;
    if (d.transitioned()) {
      const bool warning = d.state == AlertState::kPending || d.state == AlertState::kFiring;
      Event(m, warning, TransitionReason(d), "Evaluate",
            "alert " + rule.name + " " + std::string(api::ToString(d.previous)) + " -> " +
                std::string(api::ToString(d.state)) + ": " + d.message);
      log::Info("alert transition", {{"monitor", r.key},
                                     {"alert", rule.name},
                                     {"from", api::ToString(d.previous)},
                                     {"to", api::ToString(d.state)},
                                     {"message", d.message}});
    }
    alerts.push_back(std::move(s));
    r.decisions.push_back(std::move(d));
  }
  status.alerts = alerts;
  status.firing_alerts = firing;
  r.firing = firing;
}

// MeasureMetrics: status.metrics is every metric the data gives, over the
// longest alert window (label metrics only with groundTruth, and only those of
// its task), with the samples and labeled samples behind them.
void MonitorEvaluator::MeasureMetrics(Round& r) {
  const api::ModelMonitorSpec& spec = r.monitor.spec;
  const MonitorWindow& window = r.window;
  api::MetricsSnapshot metrics;
  metrics.time = FormatRfc3339(r.now);
  metrics.window = r.longest;
  metrics.samples = window.Measure(api::Metric::kErrorRate, r.longest, r.now_unix).samples;
  for (const auto& info : api::MetricCatalogue()) {
    if (info.needs_labels() && (!spec.ground_truth || !info.AppliesTo(spec.ground_truth->task))) {
      continue;
    }
    const Measurement v = window.Measure(info.metric, r.longest, r.now_unix);
    if (v.value) metrics.values[info.metric] = Rounded(*v.value);
  }
  if (spec.ground_truth) {
    const api::Metric labeled = spec.ground_truth->task == api::Task::kRegression
                                    ? api::Metric::kMae
                                    : api::Metric::kAccuracy;
    metrics.labeled_samples = window.Measure(labeled, r.longest, r.now_unix).samples;
  }
  r.status().metrics = metrics;
}

// SetConditions: Alerting (which alerts fire, how many Ready pods answered, who
// did not and why) and Remediating (which actions are still running).
void MonitorEvaluator::SetConditions(Round& r) {
  api::ModelMonitorStatus& status = r.status();
  const int64_t generation = r.monitor.metadata.generation;
  std::string firing_names;
  for (const auto& a : status.alerts) {
    if (a.state != AlertState::kFiring) continue;
    firing_names += (firing_names.empty() ? "" : ", ") + a.name;
  }
  const bool firing = r.firing > 0;
  api::Condition alerting{
      "Alerting",
      firing ? "True" : "False",
      generation,
      "",
      firing ? "AlertsFiring"
             : (r.collection.failed.empty() ? "NoAlertsFiring" : "SidecarsUnreachable"),
      ""};
  alerting.message = firing ? "firing: " + firing_names : "no alert is firing";
  alerting.message += "; " + std::to_string(r.window.pods()) + " of " +
                      std::to_string(r.endpoints.size()) + " Ready pods answered" +
                      (r.not_ready ? ", " + std::to_string(r.not_ready) + " not Ready" : "");
  if (!r.unanswered.empty()) alerting.message += "; " + r.unanswered;
  SetCondition(status, alerting, r.now);
  std::string running;
  for (const auto& rec : status.remediations) {
    if (rec.result == api::RemediationResult::kStarted) {
      running += (running.empty() ? "" : ", ") + std::string(api::ToString(rec.action)) + " for " +
                 rec.alert + (rec.job.empty() ? "" : " (Job " + rec.job + ")");
    }
  }
  SetCondition(status,
               {"Remediating", running.empty() ? "False" : "True", generation, "",
                running.empty() ? "Idle" : "ActionRunning",
                running.empty() ? "no action is running" : running},
               r.now);
}

// Writes the parts of `status` the evaluator owns (MergeOwnedStatus) with
// optimistic concurrency, starting from r.current, and only when they changed;
// r.current becomes what the server has. False when nothing could be written
// (leadership lost, or the write failed: logged).
bool MonitorEvaluator::WriteStatus(Round& r, const api::ModelMonitorStatus& status) {
  if (!d_.may_write()) return false;
  const json mine = api::ToJson(status);
  const kube::ResourcePath path{api::kApiVersion, api::kPlural, r.monitor.metadata.namespace_name,
                                r.monitor.metadata.name};
  auto update = kube::UpdateStatus(
      d_.client, path,
      [&](const json& cur) -> std::optional<json> {
        auto desired = MergeOwnedStatus(cur.value("status", json::object()), mine);
        if (!desired || !d_.may_write()) return std::nullopt;
        return desired;
      },
      &r.current);
  if (!update.response.ok()) {
    log::Warning("alert status update failed", {{"monitor", r.key},
                                                {"status", update.response.status},
                                                {"error", update.response.Message()}});
    return false;
  }
  if (update.written) r.current = update.response.body;
  log::Debug("alert status", {{"monitor", r.key},
                              {"written", update.written},
                              {"conflicts", update.conflicts},
                              {"firingAlerts", status.firing_alerts}});
  return true;
}

void MonitorEvaluator::Event(const api::ModelMonitor& m, bool warning, const std::string& reason,
                             const std::string& action, const std::string& note) {
  if (!d_.events) return;
  d_.events->Record(
      {api::kApiVersion, api::kKind, m.metadata.namespace_name, m.metadata.name, m.metadata.uid},
      warning ? EventRecorder::Type::kWarning : EventRecorder::Type::kNormal, reason, action, note);
}

}  // namespace mm::op
