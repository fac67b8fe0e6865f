#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/api/parsed_monitor.h"
#include "common/kube/informer.h"
#include "common/kube/kube_client.h"
#include "operator/events/event_recorder.h"
#include "operator/prometheus/prometheus_objects.h"
#include "operator/reconcile/conditions.h"
#include "operator/reconcile/sidecar_config_map.h"
#include "operator/reconcile/token_secret.h"

namespace mm::op {

// The explicit outcome of one reconcile (controller-runtime's contract).
struct ReconcileResult {
  enum class Kind {
    kDone,          // converged; forget the key's failures
    kRetry,         // a transient failure: retry with the key's backoff
    kRequeueAfter,  // look again after `after`
    kTerminal,      // the spec is wrong: recorded in status, not retried
  };
  Kind kind = Kind::kDone;
  std::chrono::milliseconds after{0};
  std::string error;

  static ReconcileResult Done() { return {}; }
  static ReconcileResult Retry(std::string e) { return {Kind::kRetry, {}, std::move(e)}; }
  static ReconcileResult RequeueAfter(std::chrono::milliseconds d) {
    return {Kind::kRequeueAfter, d, ""};
  }
  static ReconcileResult Terminal(std::string e) { return {Kind::kTerminal, {}, std::move(e)}; }
};
const char* OutcomeName(ReconcileResult::Kind kind);

// Level-based reconciler of one ModelMonitor ("namespace/name"): re-reads the
// monitor, its pods and its target from the informers' caches, computes the
// status (observedGeneration, pods, Ready/Injected/Degraded; pods the webhook
// missed are told apart from pods left alone on purpose), keeps the monitor's
// token Secret (token_secret.h) and the ConfigMap its injected sidecars read
// their config from (sidecar_config_map.h; Event SidecarConfigUpdated when a
// spec change rewrote it), writes the status
// subresource only when it changed (409 -> re-read and retry), and records an
// Event for each condition that changed; with Deps::prometheus, it keeps the
// monitor's PodMonitor and PrometheusRule too (prometheus_objects.h; Events
// PrometheusObjectsApplied, PrometheusObjectsFailed, PrometheusOperatorNotInstalled).
// It never trusts an event's content.
class MonitorReconciler {
 public:
  struct Deps {
    kube::KubeClient& client;
    const kube::Informer& monitors;
    const kube::Informer& pods;
    const kube::Informer* deployments = nullptr;  // null: targets are not checked
    EventRecorder* events = nullptr;
    // False once leadership is lost: no write happens after that.
    std::function<bool()> may_write = [] { return true; };
    // True while the pod cache is being re-listed for a new selector: a status
    // computed now could miss pods, so the reconcile is requeued instead.
    std::function<bool()> pods_stale = [] { return false; };
    // Create and keep each monitor's token Secret (token_secret.h).
    bool token_secrets = true;
    // Create and keep each monitor's sidecar ConfigMap (sidecar_config_map.h).
    bool sidecar_config_maps = true;
    // Keep each monitor's PodMonitor and PrometheusRule (--prometheus-objects); null: off.
    PrometheusObjects* prometheus = nullptr;
  };
  explicit MonitorReconciler(Deps deps) : d_(std::move(deps)) {}

  ReconcileResult Reconcile(const std::string& key);

  // The observation of `monitor` from the caches (public for tests).
  Observation Observe(const api::ParsedMonitor& monitor) const;

 private:
  void RecordTransitions(const api::ObjectMeta& m, const nlohmann::json& before,
                         const nlohmann::json& after);
  // Applies the monitor's Prometheus Operator objects; a result when the reconcile must
  // end with it (retry after a failure, requeue while the CRDs are missing).
  std::optional<ReconcileResult> KeepPrometheusObjects(const api::ModelMonitor& m);
  // Writes the monitor's sidecar ConfigMap when its text changed; the error, or "".
  std::string KeepSidecarConfigMap(const api::ModelMonitor& m);
  Deps d_;
  TokenSecretKeeper tokens_;
  SidecarConfigMapKeeper config_maps_;
};

}  // namespace mm::op
