#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kube/informer.h"
#include "common/kube/kube_client.h"
#include "common/kube/label_selector.h"
#include "common/kube/work_queue.h"
#include "operator/alerts/evaluation_loop.h"
#include "operator/alerts/monitor_evaluator.h"
#include "operator/alerts/snapshot_collector.h"
#include "operator/events/event_recorder.h"
#include "operator/leader/leader_elector.h"
#include "operator/metrics/operator_metrics.h"
#include "operator/reconcile/monitor_reconciler.h"

namespace mm::op {

// Whether an evaluation round would do anything for `monitor` (as the cache holds
// it): alerts to evaluate, or what earlier alerts left in its status to clear.
// Monitors with neither are left out of the rounds, so they cost no API call
// (1 000 monitors without alerts were 1 000 GETs every --evaluation-interval).
bool NeedsEvaluation(const nlohmann::json& monitor);

// The operator's User-Agent on every Kubernetes API request: what the API
// server's audit log and apiserver_request_total name it by (and what the
// test that checks the chart's RBAC against the operator's calls reads).
inline constexpr char kUserAgent[] = "modelmonitor-operator/" MM_VERSION;

struct ControllerOptions {
  std::string watch_namespace;  // "" = all namespaces
  int workers = 2;
  int64_t page_size = 500;
  std::chrono::seconds watch_timeout{300};
  bool leader_elect = true;
  LeaderElectionOptions leader;
  std::string identity;  // Events' reportingInstance and the Lease holder
  // Alerts (docs/alerts.md): the leader evaluates every monitor this often.
  std::chrono::milliseconds evaluation_interval{15000};
  std::chrono::milliseconds snapshot_timeout{5000};
  int snapshot_concurrency = 8;
  // A PodMonitor and a PrometheusRule per monitor (operator/prometheus/), with these labels.
  bool prometheus_objects = false;
  std::map<std::string, std::string> prometheus_labels;
  std::chrono::seconds prometheus_discovery_recheck{60};  // how long a discovery answer holds
};

// The operator's control loop, wired: informers for ModelMonitors, the pods
// their selectors match (or that carry the injection annotation), target
// Deployments and their ReplicaSets, and the Jobs the operator created; a work
// queue of monitor keys fed by their handlers; workers running the
// MonitorReconciler while (and only while) this process is the leader.
// Informers run on every replica so a new leader starts with warm caches.
class Controller {
 public:
  Controller(kube::KubeClient& client, ControllerOptions options, OperatorMetrics* metrics);
  ~Controller();

  void Start();
  void Stop();  // stops workers, releases the lease, stops informers

  bool Synced() const;  // every informer has its first LIST
  bool IsLeader() const;
  bool Working() const { return working_.load(); }
  int64_t reconciles() const { return reconciles_.load(); }

  kube::Informer& monitors() { return *monitors_; }
  kube::Informer& pods() { return *pods_; }
  kube::Informer& deployments() { return *deployments_; }
  kube::Informer& replicasets() { return *replicasets_; }
  kube::Informer& jobs() { return *jobs_; }
  kube::WorkQueue& queue() { return queue_; }
  int64_t evaluation_rounds() const { return evaluation_->rounds(); }

 private:
  struct MonitorEntry {
    std::optional<kube::LabelSelector> selector;
    std::string target;  // Deployment name, "" when none
  };
  kube::InformerOptions BaseOptions(kube::ResourcePath collection, const std::string& name);
  void OnMonitor(const kube::InformerEvent& e);
  void EnqueueMatching(const kube::InformerEvent& e);  // pods
  void EnqueueTargeting(const std::string& ns, const std::string& deployment);
  bool PodWanted(const nlohmann::json& pod) const;
  bool DeploymentWanted(const nlohmann::json& deployment) const;
  bool ReplicaSetWanted(const nlohmann::json& rs) const;
  void StartWorkers();
  void StopWorkers();
  void Work();

  kube::KubeClient& client_;
  const ControllerOptions options_;
  OperatorMetrics* metrics_;

  mutable std::shared_mutex index_mu_;
  // namespace -> monitor name -> what its pods and target filters need
  std::map<std::string, std::map<std::string, MonitorEntry>> index_;

  std::unique_ptr<kube::Informer> monitors_, pods_, deployments_, replicasets_, jobs_;
  kube::WorkQueue queue_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<PrometheusObjects> prometheus_;  // null unless options_.prometheus_objects
  std::unique_ptr<MonitorReconciler> reconciler_;
  std::unique_ptr<LeaderElector> elector_;
  // Alerts and remediation: run by the leader every evaluation_interval.
  std::unique_ptr<HttpSnapshotFetcher> fetcher_;
  std::unique_ptr<SnapshotCollector> collector_;
  std::unique_ptr<Remediator> remediator_;
  std::unique_ptr<MonitorEvaluator> evaluator_;
  std::unique_ptr<EvaluationLoop> evaluation_;

  std::atomic<bool> working_{false};
  std::atomic<int64_t> reconciles_{0};
  std::vector<std::thread> workers_;
  std::thread starter_;  // waits for the caches, then starts leader election
  std::atomic<bool> stopping_{false};
};

}  // namespace mm::op
