#include "operator/leader/leader_elector.h"

#include <sys/time.h>

#include <ctime>

#include "common/kube/resource_path.h"
#include "common/log.h"
#include "common/rfc3339.h"

namespace mm::op {
namespace {

int64_t Seconds(std::chrono::milliseconds d) {
  return std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

std::string LeaderElector::Validate(const LeaderElectionOptions& o) {
  if (o.identity.empty()) return "leader election: identity must not be empty";
  if (o.lease_duration <= o.renew_deadline) {
    return "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline";
  }
  if (o.renew_deadline.count() <= static_cast<int64_t>(1.2 * o.retry_period.count())) {
    return "--leader-elect-renew-deadline must be greater than 1.2 x --leader-elect-retry-period";
  }
  if (o.retry_period.count() < 1) return "--leader-elect-retry-period must be positive";
  return "";
}

LeaderElector::LeaderElector(kube::KubeClient& client, LeaderElectionOptions options,
                             std::function<void()> on_started, std::function<void()> on_stopped)
    : client_(client),
      options_(std::move(options)),
      on_started_(std::move(on_started)),
      on_stopped_(std::move(on_stopped)) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  FinishPendingTry();
}

void LeaderElector::FinishPendingTry() {
  if (pending_try_.valid()) pending_try_.wait();  // it uses this object's lease state
  pending_try_ = {};
}

void LeaderElector::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

std::chrono::milliseconds LeaderElector::Jittered(std::chrono::milliseconds d) {
  std::uniform_real_distribution<double> u(0.0, 1.2);  // wait.JitterUntil(retryPeriod, 1.2)
  return d +
         std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) * u(rng_)));
}

void LeaderElector::Run() {
  log::Info("leader election: campaigning",
            {{"lease", options_.lease_namespace + "/" + options_.lease_name},
             {"identity", options_.identity}});
  while (!stop_) {
    // Acquire: try every retry period until we hold the lease.
    while (!stop_ && !TryAcquireOrRenew()) SleepFor(Jittered(options_.retry_period));
    if (stop_) return;
    leader_ = true;
    log::Info("leader election: became leader", {{"identity", options_.identity}});
    if (on_started_) on_started_();
    // Renew every retry period; give up when none succeeded for renew_deadline,
    // also while a try is still on its way: a request can hang rather than fail
    // (an API server whose etcd is stopped answers nothing), and a leader that
    // cannot renew must stop before a follower may take the lease. client-go
    // bounds its tries by the renew deadline for the same reason.
    auto last_renew = Clock::now();
    bool lost = false;
    while (!stop_ && !lost) {
      SleepFor(options_.retry_period);
      if (stop_) break;
      const auto deadline = last_renew + options_.renew_deadline;
      pending_try_ = std::async(std::launch::async, [this] { return TryAcquireOrRenew(); });
      if (pending_try_.wait_until(deadline) != std::future_status::ready) {
        lost = true;  // the try finishes later (FinishPendingTry); its answer comes too late
      } else if (pending_try_.get()) {
        last_renew = Clock::now();
      } else if (Clock::now() >= deadline) {
        lost = true;
      }
    }
    leader_ = false;
    if (lost) {
      log::Error(
          "leader election: lost the lease (no renewal within the renew deadline); "
          "work stopped, campaigning again",
          {{"identity", options_.identity}, {"tryInFlight", pending_try_.valid()}});
      if (on_stopped_) on_stopped_();
      FinishPendingTry();
      continue;
    }
    if (options_.release_on_cancel) Release();  // stopping while leading
    if (on_stopped_) on_stopped_();
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const auto path = kube::ResourcePath{"coordination.k8s.io/v1", "leases", options_.lease_namespace,
                                       options_.lease_name};
  const std::string now = FormatRfc3339Micro(std::chrono::system_clock::now());
  nlohmann::json spec = {{"holderIdentity", options_.identity},
                         {"leaseDurationSeconds", Seconds(options_.lease_duration)},
                         {"acquireTime", now},
                         {"renewTime", now},
                         {"leaseTransitions", 0}};
  auto got = client_.Get(path.Url());
  if (got.status == 404) {
    nlohmann::json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}},
        {"spec", spec}};
    auto created = client_.Create(
        kube::ResourcePath{"coordination.k8s.io/v1", "leases", options_.lease_namespace}.Url(),
        lease);
    if (!created.ok()) return false;
    observed_lease_ = created.body;
    observed_spec_ = created.body.value("spec", nlohmann::json::object());
    observed_time_ = Clock::now();
    return true;
  }
  if (!got.ok()) {
    log::Warning("leader election: cannot read the lease", {{"error", got.Message()}});
    return false;
  }
  const nlohmann::json old_spec = got.body.value("spec", nlohmann::json::object());
  const std::string holder = old_spec.value("holderIdentity", "");
  // Expiry is judged by when we saw the record change, on our own clock.
  if (old_spec != observed_spec_) {
    observed_spec_ = old_spec;
    observed_time_ = Clock::now();
  }
  const auto duration = std::chrono::seconds(old_spec.value("leaseDurationSeconds", int64_t{15}));
  const bool held_by_other = !holder.empty() && holder != options_.identity;
  if (held_by_other && Clock::now() < observed_time_ + duration) return false;

  if (holder == options_.identity) {
    spec["acquireTime"] = old_spec.value("acquireTime", now);
    spec["leaseTransitions"] = old_spec.value("leaseTransitions", int64_t{0});
  } else {
    spec["leaseTransitions"] = old_spec.value("leaseTransitions", int64_t{0}) + 1;
  }
  nlohmann::json lease = got.body;
  lease["spec"] = spec;  // metadata.resourceVersion makes this a compare-and-swap
  auto updated = client_.Replace(path.Url(), lease);
  if (!updated.ok()) {
    if (updated.status != 409) {
      log::Warning("leader election: cannot update the lease", {{"error", updated.Message()}});
    }
    return false;
  }
  if (held_by_other || holder.empty()) {
    log::Info("leader election: took the lease",
              {{"previous", holder}, {"identity", options_.identity}});
  }
  observed_lease_ = updated.body;
  observed_spec_ = updated.body.value("spec", nlohmann::json::object());
  observed_time_ = Clock::now();
  return true;
}

void LeaderElector::Release() {
  // client-go's release: holder cleared, duration 1s, so a follower takes over at once.
  if (!observed_lease_.is_object()) return;
  nlohmann::json lease = observed_lease_;
  const std::string now = FormatRfc3339Micro(std::chrono::system_clock::now());
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = now;
  lease["spec"]["acquireTime"] = now;
  const auto path = kube::ResourcePath{"coordination.k8s.io/v1", "leases", options_.lease_namespace,
                                       options_.lease_name};
  auto r = client_.Replace(path.Url(), lease);
  if (r.ok()) {
    log::Info("leader election: released the lease", {{"identity", options_.identity}});
  } else {
    log::Warning("leader election: could not release the lease", {{"error", r.Message()}});
  }
}

}  // namespace mm::op
