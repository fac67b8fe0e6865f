#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "common/kube/kube_client.h"

namespace mm::op {

struct LeaderElectionOptions {
  std::string lease_namespace = "default";
  std::string lease_name = "modelmonitor-operator";
  std::string identity;  // unique per process: pod name + random suffix
  // client-go's defaults and meaning: a follower may take the lease once it has
  // not seen it renewed for lease_duration; the leader gives up if it could not
  // renew for renew_deadline; every try waits retry_period (jittered x1.2).
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  // On Stop(), a leader empties the lease so a follower takes over at once.
  bool release_on_cancel = true;
};

// Leader election on a coordination.k8s.io/v1 Lease with client-go's
// semantics (tools/leaderelection): optimistic concurrency on the Lease's
// resourceVersion; expiry judged by the local time the record was last seen to
// change (not the holder's clock); leaseTransitions counted; a leader stops at
// the renew deadline even when its renewal request hangs.
// on_started runs on the elector's thread when this process becomes leader;
// on_stopped when it loses the lease or stops leading, and must stop all work
// at once. After a loss the elector campaigns again (client-go's callers
// usually exit instead; staying up keeps the caches warm and lets an API
// server outage longer than the renew deadline heal without a restart).
class LeaderElector {
 public:
  LeaderElector(kube::KubeClient& client, LeaderElectionOptions options,
                std::function<void()> on_started, std::function<void()> on_stopped);
  ~LeaderElector();

  void Start();
  void Stop();  // releases the lease when leading and release_on_cancel
  bool IsLeader() const { return leader_.load(); }
  const std::string& identity() const { return options_.identity; }
  // Why the options cannot work ("" when they can): renew_deadline must be less
  // than lease_duration, and retry_period less than renew_deadline (client-go's checks).
  static std::string Validate(const LeaderElectionOptions& o);

 private:
  using Clock = std::chrono::steady_clock;
  void Run();
  // One attempt: creates, renews or takes the lease. True when we hold it.
  bool TryAcquireOrRenew();
  void Release();
  // Waits for a renewal try given up on at the renew deadline to return.
  void FinishPendingTry();
  void SleepFor(std::chrono::milliseconds d);
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);

  kube::KubeClient& client_;
  const LeaderElectionOptions options_;
  std::function<void()> on_started_;
  std::function<void()> on_stopped_;

  // The last lease record seen and when (local clock) it was seen to change.
  nlohmann::json observed_spec_;
  std::string observed_rv_;
  Clock::time_point observed_time_{};
  nlohmann::json observed_lease_;

  std::future<bool> pending_try_;  // a renewal try, run apart so its wait can be bounded
  std::atomic<bool> leader_{false};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::mt19937 rng_{std::random_device{}()};
  std::thread thread_;
};

}  // namespace mm::op
