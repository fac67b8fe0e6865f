#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/kube/kube_client.h"

namespace mm::op {

// The object an Event is about (events.k8s.io/v1 "regarding").
struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
};

struct EventOptions {
  std::string reporting_controller = "modelmonitor.io/operator";
  std::string reporting_instance;  // the pod / leader identity
  size_t max_queued = 1000;        // beyond this, events are dropped and counted
  // The same (object, reason, note) is not posted again within this window.
  std::chrono::seconds dedup_window{600};
  std::function<void()> on_dropped;  // metrics
};

// Posts events.k8s.io/v1 Events from a background thread, so a slow API never
// holds up a reconcile: a bounded queue that drops (and counts) when full, and
// de-duplication of repeats. Reasons are CamelCase (e.g. "TargetNotFound").
class EventRecorder {
 public:
  EventRecorder(kube::KubeClient& client, EventOptions options);
  ~EventRecorder();  // flushes what is queued, then stops

  enum class Type { kNormal, kWarning };
  // `action` says what the operator did or decided ("Reconcile", "Rollback").
  void Record(const ObjectRef& regarding, Type type, const std::string& reason,
              const std::string& action, const std::string& note);

  void Flush();  // waits until the queue is empty (tests, shutdown)
  int64_t posted() const;
  int64_t dropped() const;

  // The Event object, without sending it (tests).
  static nlohmann::json Build(const ObjectRef& regarding, Type type, const std::string& reason,
                              const std::string& action, const std::string& note,
                              const EventOptions& options);

 private:
  void Run();

  kube::KubeClient& client_;
  const EventOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<nlohmann::json> queue_;
  std::map<std::string, std::chrono::steady_clock::time_point> recent_;
  bool sending_ = false;
  bool stop_ = false;
  int64_t posted_ = 0;
  int64_t dropped_ = 0;
  std::thread thread_;
};

}  // namespace mm::op
