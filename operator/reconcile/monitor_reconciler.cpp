#include "operator/reconcile/monitor_reconciler.h"

#include <algorithm>
#include <set>

#include "common/api/model_monitor.h"
#include "common/api/monitor_config_map.h"
#include "common/api/sidecar_monitor_config.h"
#include "common/kube/status_update.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "operator/reconcile/token_secret.h"
#include "operator/webhook/injection_report.h"

namespace mm::op {

const char* OutcomeName(ReconcileResult::Kind kind) {
  switch (kind) {
    case ReconcileResult::Kind::kDone:
      return "done";
    case ReconcileResult::Kind::kRetry:
      return "retry";
    case ReconcileResult::Kind::kRequeueAfter:
      return "requeue_after";
    case ReconcileResult::Kind::kTerminal:
      return "terminal";
  }
  return "unknown";
}

Observation MonitorReconciler::Observe(const api::ParsedMonitor& m) const {
  Observation o;
  o.generation = m.meta.generation;
  o.ns = m.meta.namespace_name;
  o.spec_error = m.error;
  if (!m.ok()) return o;
  o.target_kind = m.monitor->spec.target.kind;
  o.target_name = m.monitor->spec.target.name;
  o.selector = m.selector->ToQuery();
  d_.pods.ForEachSelected(o.ns, *m.selector, [&](const nlohmann::json& pod) {
    const auto meta = pod.find("metadata");
    if (meta == pod.end() || !meta->is_object()) return;
    switch (webhook::ClassifyMatchedPod(m.meta.name, pod)) {
      case webhook::PodInjection::kTerminating:
        return;
      case webhook::PodInjection::kInjected:
        ++o.injected;
        break;
      case webhook::PodInjection::kOtherMonitor:
        ++o.other_monitor;
        break;
      case webhook::PodInjection::kOptedOut:
        ++o.opted_out;
        break;
      case webhook::PodInjection::kHostNetwork:
        ++o.host_network;
        break;
      case webhook::PodInjection::kMissed:
        o.not_injected.push_back(meta->value("name", ""));
        break;
    }
    ++o.matched;
  });
  std::sort(o.not_injected.begin(), o.not_injected.end());
  if (!o.target_name.empty()) {
    // Only Deployments are tracked as targets; another kind is reported missing.
    o.target_found = o.target_kind == "Deployment" && d_.deployments != nullptr &&
                     d_.deployments->Get(o.ns + "/" + o.target_name) != nullptr;
    if (d_.deployments == nullptr) o.target_found = true;  // not checked
  }
  return o;
}

ReconcileResult MonitorReconciler::Reconcile(const std::string& key) {
  kube::ObjectPtr object = d_.monitors.Get(key);
  if (!object) return ReconcileResult::Done();  // deleted: owned objects are garbage-collected
  if (d_.pods_stale()) return ReconcileResult::RequeueAfter(std::chrono::milliseconds(250));
  const api::ParsedMonitor read = api::ParsedMonitor::FromJson(*object);
  const api::ObjectMeta& monitor = read.meta;
  const Observation observation = Observe(read);
  const std::string now = FormatRfc3339(std::chrono::system_clock::now());

  if (!d_.may_write()) return ReconcileResult::Done();
  // The tokens the injected sidecars read (secretKeyRef): before the status, so a
  // monitor reported Ready has them. A failure is retried after the status is written.
  std::string token_error;
  if (d_.token_secrets && !monitor.uid.empty()) {
    if (auto s = tokens_.Ensure(d_.client, monitor); !s) token_error = s.error().message;
  }
  // The config the injected sidecars reload (their start-up config is the env var
  // the webhook wrote from the same text). Retried like the tokens.
  std::string config_error;
  if (d_.sidecar_config_maps && !monitor.uid.empty() && read.monitor) {
    config_error = KeepSidecarConfigMap(*read.monitor);
  }
  bool generation_moved = false;
  nlohmann::json before;
  const kube::ResourcePath path{api::kApiVersion, api::kPlural, monitor.namespace_name,
                                monitor.name};
  auto update = kube::UpdateStatus(
      d_.client, path,
      [&](const nlohmann::json& current) -> std::optional<nlohmann::json> {
        // The cache may lag the server: never stamp a newer generation with an
        // observation of an older spec.
        const auto gen = current["metadata"].value("generation", int64_t{0});
        if (gen != observation.generation) {
          generation_moved = true;
          return std::nullopt;
        }
        before = current.value("status", nlohmann::json());
        nlohmann::json desired = DesiredStatus(before, observation, now);
        if (desired == before) return std::nullopt;
        if (!d_.may_write()) return std::nullopt;
        return desired;
      },
      object.get());
  if (!update.response.ok()) {
    if (update.response.status == 404) return ReconcileResult::Done();  // deleted meanwhile
    return ReconcileResult::Retry("status update of " + key + " failed (HTTP " +
                                  std::to_string(update.response.status) +
                                  "): " + update.response.Message());
  }
  if (generation_moved) return ReconcileResult::RequeueAfter(std::chrono::seconds(1));
  if (update.written) {
    log::Info("status updated", {{"monitor", key},
                                 {"observedGeneration", observation.generation},
                                 {"matched", observation.matched},
                                 {"injected", observation.injected},
                                 {"conflicts", update.conflicts}});
    RecordTransitions(monitor, before, update.response.body.value("status", nlohmann::json()));
  }
  // After the status: a failure here must not hold up what the status reports.
  std::optional<ReconcileResult> prometheus_result;
  if (d_.prometheus != nullptr && !monitor.uid.empty() && read.monitor && d_.may_write()) {
    prometheus_result = KeepPrometheusObjects(*read.monitor);
  }
  if (!token_error.empty()) return ReconcileResult::Retry(token_error);
  if (!config_error.empty()) return ReconcileResult::Retry(config_error);
  if (prometheus_result) return *prometheus_result;
  if (!read.ok()) return ReconcileResult::Terminal(read.error);
  return ReconcileResult::Done();
}

std::string MonitorReconciler::KeepSidecarConfigMap(const api::ModelMonitor& monitor) {
  const api::ObjectMeta& m = monitor.metadata;
  // The text the webhook injects (one function makes both).
  const std::string text = api::SidecarConfigText(monitor);
  auto written = config_maps_.Ensure(d_.client, m, text);
  if (!written) return written.error().message;
  if (written.value() == ConfigMapWrite::kUnchanged) return "";
  const std::string name = api::SidecarConfigMapName(m.name);
  log::Info(written.value() == ConfigMapWrite::kCreated ? "sidecar config created"
                                                        : "sidecar config updated",
            {{"monitor", m.namespace_name + "/" + m.name},
             {"configMap", name},
             {"generation", m.generation},
             {"bytes", static_cast<int64_t>(text.size())}});
  if (written.value() == ConfigMapWrite::kUpdated && d_.events) {
    d_.events->Record({api::kApiVersion, api::kKind, m.namespace_name, m.name, m.uid},
                      EventRecorder::Type::kNormal, "SidecarConfigUpdated", "Reconcile",
                      "ConfigMap " + name + " holds generation " + std::to_string(m.generation) +
                          "; running sidecars reload it when the kubelet refreshes the mounted "
                          "file (about a minute) and keep their connections");
  }
  return "";
}

std::optional<ReconcileResult> MonitorReconciler::KeepPrometheusObjects(
    const api::ModelMonitor& monitor) {
  const api::ObjectMeta& m = monitor.metadata;
  const auto report = d_.prometheus->Ensure(d_.client, monitor);
  const ObjectRef regarding{api::kApiVersion, api::kKind, m.namespace_name, m.name, m.uid};
  using Outcome = PrometheusObjects::Outcome;
  switch (report.outcome) {
    case Outcome::kUnchanged:
      return std::nullopt;
    case Outcome::kNotServed:
      if (report.first_report && d_.events) {
        d_.events->Record(regarding, EventRecorder::Type::kWarning,
                          "PrometheusOperatorNotInstalled", "Reconcile", report.message);
      }
      // Look again when discovery does: CRDs installed later are then picked up without
      // waiting for a change to the monitor or its pods (no API call until then).
      return ReconcileResult::RequeueAfter(d_.prometheus->discovery_recheck());
    case Outcome::kFailed:
      if (d_.events) {
        d_.events->Record(regarding, EventRecorder::Type::kWarning, "PrometheusObjectsFailed",
                          "Reconcile", report.message);
      }
      return ReconcileResult::Retry(report.message);
    case Outcome::kApplied: {
      const std::string name = MonitoringObjectName(m.name);
      std::string note = "PodMonitor " + name + " and PrometheusRule " + name + " (" +
                         std::to_string(report.rules) + " of " +
                         std::to_string(report.rules + report.untranslated.size()) +
                         " alerts) applied";
      std::string left_out;
      for (const auto& u : report.untranslated) {
        left_out += (left_out.empty() ? "" : "; ") + u.alert + ": " + u.reason;
      }
      if (!left_out.empty()) note += "; left out (evaluated by the operator only): " + left_out;
      log::Info("prometheus objects applied",
                {{"monitor", m.namespace_name + "/" + m.name},
                 {"rules", report.rules},
                 {"untranslated", static_cast<int64_t>(report.untranslated.size())}});
      if (d_.events) {
        d_.events->Record(regarding, EventRecorder::Type::kNormal, "PrometheusObjectsApplied",
                          "Reconcile", note);
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void MonitorReconciler::RecordTransitions(const api::ObjectMeta& m, const nlohmann::json& before,
                                          const nlohmann::json& after) {
  if (!d_.events) return;
  const auto old = ConditionsOf(before);
  std::set<std::string> reasons;  // one Event per distinct reason
  for (const auto& c : ConditionsOf(after)) {
    if (c.type != "Ready" && c.type != "Injected" && c.type != "Degraded") continue;
    bool changed = true;
    for (const auto& p : old) {
      if (p.type == c.type && p.status == c.status && p.reason == c.reason) changed = false;
      // More (or other) pods missed by the webhook: say so again, with the new count.
      if (p.type == c.type && c.type == "Injected" && c.reason == reason::kPodsNotInjected &&
          p.reason == c.reason && p.message != c.message) {
        changed = true;
      }
    }
    if (!changed || !reasons.insert(c.reason).second) continue;
    const bool bad = (c.type == "Degraded" && c.status == "True") ||
                     (c.type != "Degraded" && c.status != "True");
    d_.events->Record({api::kApiVersion, api::kKind, m.namespace_name, m.name, m.uid},
                      bad ? EventRecorder::Type::kWarning : EventRecorder::Type::kNormal, c.reason,
                      "Reconcile", c.type + "=" + c.status + ": " + c.message);
  }
}

}  // namespace mm::op
