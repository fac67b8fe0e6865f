#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "common/kube/backoff.h"

namespace mm::kube {

// A rate-limited work queue of keys ("namespace/name") with client-go's
// promises: a key queued twice is processed once (dedup); a key is never
// handed to two workers at once (a key added while it is processed is queued
// again when Done() is called); AddRateLimited delays by the key's own
// exponential backoff; AddAfter delays by a fixed time. Thread-safe.
class WorkQueue {
 public:
  explicit WorkQueue(Backoff backoff = {});
  ~WorkQueue();

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  void AddRateLimited(const std::string& key);
  // Clears the key's failure count (after a success or a terminal error).
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const { return backoff_.NumRequeues(key); }

  // Blocks until a key is ready or the queue shuts down (then nullopt). The
  // caller must call Done(key) when finished with it.
  std::optional<std::string> Get();
  void Done(const std::string& key);

  // Wakes every Get() (they return nullopt) until Reopen(); queued keys stay.
  void ShutDown();
  void Reopen();
  bool shutting_down() const;

  size_t Len() const;         // keys ready to be handed out
  size_t Waiting() const;     // keys delayed by AddAfter/AddRateLimited
  size_t Processing() const;  // keys handed out and not Done

 private:
  using Clock = std::chrono::steady_clock;
  struct Delayed {
    Clock::time_point ready;
    std::string key;
    bool operator>(const Delayed& o) const { return ready > o.ready; }
  };
  void AddLocked(const std::string& key);
  void PromoteReadyLocked(Clock::time_point now);

  ItemBackoff backoff_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be queued after processing
  std::set<std::string> processing_;  // handed out
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<Delayed>> delayed_;
  // The earliest ready time of each delayed key: a key delayed twice waits once,
  // until the earlier time (heap entries that no longer match are skipped).
  std::map<std::string, Clock::time_point> waiting_;
  bool shutting_down_ = false;
};

}  // namespace mm::kube
