#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace mm::op {

// The operator's Prometheus metrics (names in docs/operator.md). Handles are
// created once and cached; every method is thread-safe.
class OperatorMetrics {
 public:
  OperatorMetrics();

  void ObserveReconcile(const std::string& outcome, double seconds);
  void WatchRestart(const std::string& informer);
  void Relist(const std::string& informer);
  void SetQueueDepth(double depth);
  void SetLeader(bool leader);
  void SetCachedObjects(const std::string& informer, double n);
  void EventDropped();

  // The text exposition format (what /metrics serves).
  std::string Serialize() const;
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Family<prometheus::Counter>& reconcile_errors_;
  prometheus::Histogram& reconcile_seconds_;
  prometheus::Family<prometheus::Counter>& watch_restarts_;
  prometheus::Family<prometheus::Counter>& relists_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& leader_;
  prometheus::Family<prometheus::Gauge>& cached_;
  prometheus::Counter& events_dropped_;
};

}  // namespace mm::op
