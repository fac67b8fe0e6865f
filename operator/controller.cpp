#include "operator/controller.h"

#include <mutex>

#include "common/api/parsed_monitor.h"
#include "common/log.h"
#include "operator/remediation/retrain_job.h"  // kMonitorLabel, on the Jobs it creates
#include "operator/webhook/annotations.h"

namespace mm::op {
namespace {

const nlohmann::json& Meta(const nlohmann::json& o) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = o.find("metadata");
  return it != o.end() && it->is_object() ? *it : kEmpty;
}

nlohmann::json Labels(const nlohmann::json& o) {
  return Meta(o).value("labels", nlohmann::json::object());
}

}  // namespace

bool NeedsEvaluation(const nlohmann::json& monitor) {
  auto field = [](const nlohmann::json& object, const char* key) -> const nlohmann::json* {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  };
  const nlohmann::json* spec = field(monitor, "spec");
  const nlohmann::json* alerts = spec ? field(*spec, "alerts") : nullptr;
  if (alerts && (!alerts->is_array() || !alerts->empty())) return true;
  const nlohmann::json* status = field(monitor, "status");
  if (!status) return false;
  const nlohmann::json* states = field(*status, "alerts");
  const nlohmann::json* firing = field(*status, "firingAlerts");
  return (states && (!states->is_array() || !states->empty())) ||
         (firing && (!firing->is_number() || *firing != 0)) || field(*status, "metrics");
}

Controller::Controller(kube::KubeClient& client, ControllerOptions options,
                       OperatorMetrics* metrics)
    : client_(client), options_(std::move(options)), metrics_(metrics) {
  const std::string& ns = options_.watch_namespace;
  monitors_ = std::make_unique<kube::Informer>(
      client_, "modelmonitors", BaseOptions({api::kApiVersion, api::kPlural, ns}, "modelmonitors"));
  auto pod_opts = BaseOptions({"v1", "pods", ns}, "pods");
  pod_opts.keep = [this](const nlohmann::json& p) { return PodWanted(p); };
  pod_opts.index_labels = true;  // each monitor visits only the pods it selects
  pods_ = std::make_unique<kube::Informer>(client_, "pods", pod_opts);
  auto dep_opts = BaseOptions({"apps/v1", "deployments", ns}, "deployments");
  dep_opts.keep = [this](const nlohmann::json& d) { return DeploymentWanted(d); };
  deployments_ = std::make_unique<kube::Informer>(client_, "deployments", dep_opts);
  auto rs_opts = BaseOptions({"apps/v1", "replicasets", ns}, "replicasets");
  rs_opts.keep = [this](const nlohmann::json& r) { return ReplicaSetWanted(r); };
  replicasets_ = std::make_unique<kube::Informer>(client_, "replicasets", rs_opts);
  auto job_opts = BaseOptions({"batch/v1", "jobs", ns}, "jobs");
  job_opts.label_selector = kMonitorLabel;
  jobs_ = std::make_unique<kube::Informer>(client_, "jobs", job_opts);

  monitors_->AddHandler([this](const kube::InformerEvent& e) { OnMonitor(e); });
  pods_->AddHandler([this](const kube::InformerEvent& e) { EnqueueMatching(e); });
  auto by_owner_deployment = [this](const kube::InformerEvent& e) {
    const auto& meta = Meta(*e.object);
    const std::string owner_ns = meta.value("namespace", "");
    for (const auto& ref : meta.value("ownerReferences", nlohmann::json::array())) {
      if (ref.is_object() && ref.value("kind", "") == "Deployment") {
        EnqueueTargeting(owner_ns, ref.value("name", ""));
      }
    }
  };
  deployments_->AddHandler([this](const kube::InformerEvent& e) {
    const auto& meta = Meta(*e.object);
    EnqueueTargeting(meta.value("namespace", ""), meta.value("name", ""));
  });
  replicasets_->AddHandler(by_owner_deployment);
  jobs_->AddHandler([this](const kube::InformerEvent& e) {
    const auto& meta = Meta(*e.object);
    const std::string monitor = Labels(*e.object).value(kMonitorLabel, "");
    if (!monitor.empty()) queue_.Add(meta.value("namespace", "") + "/" + monitor);
  });

  EventOptions event_opts;
  event_opts.reporting_instance = options_.identity;
  if (metrics_) event_opts.on_dropped = [m = metrics_] { m->EventDropped(); };
  events_ = std::make_unique<EventRecorder>(client_, event_opts);

  if (options_.prometheus_objects) {
    PrometheusObjects::Options prometheus_opts;
    prometheus_opts.labels = options_.prometheus_labels;
    prometheus_opts.discovery_recheck = options_.prometheus_discovery_recheck;
    prometheus_ = std::make_unique<PrometheusObjects>(prometheus_opts);
  }
  MonitorReconciler::Deps reconciler_deps{client_,
                                          *monitors_,
                                          *pods_,
                                          deployments_.get(),
                                          events_.get(),
                                          [this] { return working_.load() && IsLeader(); },
                                          [this] { return pods_->ResyncPending(); }};
  reconciler_deps.prometheus = prometheus_.get();
  reconciler_ = std::make_unique<MonitorReconciler>(std::move(reconciler_deps));

  fetcher_ = std::make_unique<HttpSnapshotFetcher>(options_.snapshot_timeout);
  collector_ = std::make_unique<SnapshotCollector>(*fetcher_, options_.snapshot_concurrency);
  remediator_ = std::make_unique<Remediator>(client_);
  evaluator_ = std::make_unique<MonitorEvaluator>(
      MonitorEvaluator::Deps{client_, *pods_, *collector_, *remediator_, events_.get(),
                             [] { return std::chrono::system_clock::now(); },
                             [this] { return working_.load() && IsLeader(); }});
  evaluation_ = std::make_unique<EvaluationLoop>(
      options_.evaluation_interval,
      [this] {
        std::vector<EvaluationLoop::Key> keys;
        for (const auto& m : monitors_->List()) {
          if (!NeedsEvaluation(*m)) continue;
          const auto& meta = Meta(*m);
          keys.emplace_back(meta.value("namespace", ""), meta.value("name", ""));
        }
        return keys;
      },
      [this](const std::string& monitor_ns, const std::string& name) {
        evaluator_->Evaluate(monitor_ns, name);
      });

  if (options_.leader_elect) {
    LeaderElectionOptions le = options_.leader;
    le.identity = options_.identity;
    elector_ = std::make_unique<LeaderElector>(
        client_, le, [this] { StartWorkers(); }, [this] { StopWorkers(); });
  }
}

Controller::~Controller() { Stop(); }

kube::InformerOptions Controller::BaseOptions(kube::ResourcePath collection,
                                              const std::string& name) {
  kube::InformerOptions o;
  o.collection = std::move(collection);
  o.page_size = options_.page_size;
  o.watch_timeout = options_.watch_timeout;
  if (metrics_) {
    o.on_watch_restart = [m = metrics_, name] { m->WatchRestart(name); };
    o.on_relist = [m = metrics_, name] { m->Relist(name); };
  }
  return o;
}

void Controller::Start() {
  stopping_ = false;
  monitors_->Start();
  jobs_->Start();
  starter_ = std::thread([this] {
    // The pod, Deployment and ReplicaSet filters need the monitors: list those first.
    while (!stopping_ && !monitors_->WaitForSync(std::chrono::milliseconds(200))) {
    }
    if (stopping_) return;
    pods_->Start();
    deployments_->Start();
    replicasets_->Start();
    for (kube::Informer* i : {pods_.get(), deployments_.get(), replicasets_.get(), jobs_.get()}) {
      while (!stopping_ && !i->WaitForSync(std::chrono::milliseconds(200))) {
      }
    }
    if (stopping_) return;
    log::Info("all caches synced", {{"monitors", monitors_->Size()}, {"pods", pods_->Size()}});
    if (elector_) {
      elector_->Start();
    } else {
      StartWorkers();
    }
  });
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  if (starter_.joinable()) starter_.join();
  // Workers and the evaluation loop finish what they are doing (an action and
  // the status write that records it) while this replica still holds the lease;
  // only then is the lease released for the next leader.
  StopWorkers();
  if (elector_) elector_->Stop();
  for (kube::Informer* i :
       {monitors_.get(), pods_.get(), deployments_.get(), replicasets_.get(), jobs_.get()}) {
    i->Stop();
  }
  events_->Flush();
}

bool Controller::Synced() const {
  return monitors_->HasSynced() && pods_->HasSynced() && deployments_->HasSynced() &&
         replicasets_->HasSynced() && jobs_->HasSynced();
}

bool Controller::IsLeader() const { return !elector_ || elector_->IsLeader(); }

void Controller::OnMonitor(const kube::InformerEvent& e) {
  const auto& meta = Meta(*e.object);
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  bool selector_changed = false;
  bool target_changed = false;
  {
    std::unique_lock<std::shared_mutex> lock(index_mu_);
    auto& monitors = index_[ns];
    if (e.kind == kube::InformerEvent::Kind::kDelete) {
      monitors.erase(name);
      if (monitors.empty()) index_.erase(ns);
    } else {
      const api::ParsedMonitor read = api::ParsedMonitor::FromJson(*e.object);
      MonitorEntry entry{read.selector, read.ok() ? read.monitor->spec.target.name : ""};
      auto it = monitors.find(name);
      const std::string old_query =
          it != monitors.end() && it->second.selector ? it->second.selector->ToQuery() : "\x01";
      const std::string new_query = entry.selector ? entry.selector->ToQuery() : "\x01";
      selector_changed = it == monitors.end() || old_query != new_query;
      target_changed =
          it == monitors.end() ? !entry.target.empty() : it->second.target != entry.target;
      monitors[name] = std::move(entry);
    }
  }
  // An update that changed neither the spec (generation) nor labels/annotations
  // is most often this operator's own status write: nothing to reconcile
  // (controller-runtime's GenerationChangedPredicate, plus metadata changes).
  if (e.kind == kube::InformerEvent::Kind::kUpdate && e.old) {
    // Alertmanager's receiver (on any replica) recorded an alert: evaluate now.
    auto external = [](const nlohmann::json& m) {
      const auto status = m.value("status", nlohmann::json::object());
      return status.is_object() ? status.value("externalAlerts", nlohmann::json())
                                : nlohmann::json();
    };
    if (external(*e.old) != external(*e.object)) evaluation_->Wake();
    const auto& old_meta = Meta(*e.old);
    if (old_meta.value("generation", int64_t{0}) == meta.value("generation", int64_t{0}) &&
        old_meta.value("labels", nlohmann::json()) == meta.value("labels", nlohmann::json()) &&
        old_meta.value("annotations", nlohmann::json()) ==
            meta.value("annotations", nlohmann::json()) &&
        old_meta.contains("deletionTimestamp") == meta.contains("deletionTimestamp")) {
      return;
    }
  }
  // A new or changed selector may match pods the filter dropped: list them again.
  if (selector_changed && pods_->HasSynced()) pods_->Resync();
  if (target_changed && deployments_->HasSynced()) {
    deployments_->Resync();
    replicasets_->Resync();
  }
  queue_.Add(ns + "/" + name);
  if (metrics_) metrics_->SetQueueDepth(static_cast<double>(queue_.Len()));
}

bool Controller::PodWanted(const nlohmann::json& pod) const {
  const auto& meta = Meta(pod);
  const auto annotations = meta.value("annotations", nlohmann::json::object());
  if (annotations.is_object() && annotations.contains(webhook::kInjectedAnnotation)) return true;
  const nlohmann::json labels = meta.value("labels", nlohmann::json::object());
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  auto ns = index_.find(meta.value("namespace", ""));
  if (ns == index_.end()) return false;
  for (const auto& [name, entry] : ns->second) {
    if (entry.selector && entry.selector->Matches(labels)) return true;
  }
  return false;
}

bool Controller::DeploymentWanted(const nlohmann::json& d) const {
  const auto& meta = Meta(d);
  const std::string name = meta.value("name", "");
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  auto ns = index_.find(meta.value("namespace", ""));
  if (ns == index_.end()) return false;
  for (const auto& [monitor, entry] : ns->second) {
    if (entry.target == name) return true;
  }
  return false;
}

bool Controller::ReplicaSetWanted(const nlohmann::json& rs) const {
  const auto& meta = Meta(rs);
  for (const auto& ref : meta.value("ownerReferences", nlohmann::json::array())) {
    if (!ref.is_object() || ref.value("kind", "") != "Deployment") continue;
    nlohmann::json owner = {
        {"metadata",
         {{"namespace", meta.value("namespace", "")}, {"name", ref.value("name", "")}}}};
    if (DeploymentWanted(owner)) return true;
  }
  return false;
}

void Controller::EnqueueMatching(const kube::InformerEvent& e) {
  const std::string ns = Meta(*e.object).value("namespace", "");
  const nlohmann::json labels = Labels(*e.object);
  const nlohmann::json old_labels = e.old ? Labels(*e.old) : nlohmann::json::object();
  std::vector<std::string> keys;
  {
    std::shared_lock<std::shared_mutex> lock(index_mu_);
    auto it = index_.find(ns);
    if (it == index_.end()) return;
    for (const auto& [name, entry] : it->second) {
      if (!entry.selector) continue;
      if (entry.selector->Matches(labels) || (e.old && entry.selector->Matches(old_labels))) {
        keys.push_back(ns + "/" + name);
      }
    }
  }
  for (const auto& k : keys) queue_.Add(k);
}

void Controller::EnqueueTargeting(const std::string& ns, const std::string& deployment) {
  std::vector<std::string> keys;
  {
    std::shared_lock<std::shared_mutex> lock(index_mu_);
    auto it = index_.find(ns);
    if (it == index_.end()) return;
    for (const auto& [name, entry] : it->second) {
      if (entry.target == deployment) keys.push_back(ns + "/" + name);
    }
  }
  for (const auto& k : keys) queue_.Add(k);
}

void Controller::StartWorkers() {
  if (working_.exchange(true)) return;
  if (metrics_) metrics_->SetLeader(true);
  queue_.Reopen();
  for (const auto& m : monitors_->List()) queue_.Add(kube::Informer::KeyOf(*m));
  log::Info("starting workers", {{"workers", options_.workers}, {"queued", queue_.Len()}});
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  evaluation_->Start();
}

void Controller::StopWorkers() {
  evaluation_->Stop();  // before working_ goes false: the round in flight may still write
  working_ = false;
  if (metrics_) metrics_->SetLeader(false);
  queue_.ShutDown();
  for (auto& w : workers_) {
    if (w.joinable() && w.get_id() != std::this_thread::get_id()) w.join();
  }
  workers_.clear();
}

void Controller::Work() {
  while (working_) {
    auto key = queue_.Get();
    if (!key) return;
    const auto start = std::chrono::steady_clock::now();
    ReconcileResult r = reconciler_->Reconcile(*key);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++reconciles_;
    switch (r.kind) {
      case ReconcileResult::Kind::kDone:
        queue_.Forget(*key);
        break;
      case ReconcileResult::Kind::kRetry:
        log::Warning(
            "reconcile failed; retrying with backoff",
            {{"monitor", *key}, {"error", r.error}, {"attempt", queue_.NumRequeues(*key)}});
        queue_.AddRateLimited(*key);
        break;
      case ReconcileResult::Kind::kRequeueAfter:
        queue_.Forget(*key);
        queue_.AddAfter(*key, r.after);
        break;
      case ReconcileResult::Kind::kTerminal:
        log::Warning("reconcile: terminal error recorded in status",
                     {{"monitor", *key}, {"error", r.error}});
        queue_.Forget(*key);
        break;
    }
    queue_.Done(*key);
    if (metrics_) {
      metrics_->ObserveReconcile(OutcomeName(r.kind), seconds);
      metrics_->SetQueueDepth(static_cast<double>(queue_.Len()));
    }
  }
}

}  // namespace mm::op
