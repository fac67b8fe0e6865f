#include "operator/metrics/operator_metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "common/metrics/metric_names.h"

namespace mm::op {

OperatorMetrics::OperatorMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      reconciles_(prometheus::BuildCounter()
                      .Name(metrics::names::kReconcileTotal)
                      .Help("ModelMonitor reconciles by outcome (done, retry, requeue_after, "
                            "terminal)")
                      .Register(*registry_)),
      reconcile_errors_(prometheus::BuildCounter()
                            .Name(metrics::names::kReconcileErrorsTotal)
                            .Help("Reconciles that ended in retry or terminal")
                            .Register(*registry_)),
      reconcile_seconds_(
          prometheus::BuildHistogram()
              .Name(metrics::names::kReconcileDurationSeconds)
              .Help("Time one reconcile took")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                               0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                                               5, 10})),
      watch_restarts_(prometheus::BuildCounter()
                          .Name(metrics::names::kWatchRestartsTotal)
                          .Help("Watches started again after the first, by informer")
                          .Register(*registry_)),
      relists_(prometheus::BuildCounter()
                   .Name(metrics::names::kRelistsTotal)
                   .Help("LISTs after the first (410 Gone, errors, filter changes), by informer")
                   .Register(*registry_)),
      queue_depth_(prometheus::BuildGauge()
                       .Name(metrics::names::kWorkqueueDepth)
                       .Help("Keys waiting in the work queue")
                       .Register(*registry_)
                       .Add({})),
      leader_(prometheus::BuildGauge()
                  .Name(metrics::names::kLeader)
                  .Help("1 while this process holds the leader Lease")
                  .Register(*registry_)
                  .Add({})),
      cached_(prometheus::BuildGauge()
                  .Name(metrics::names::kInformerCachedObjects)
                  .Help("Objects in each informer's cache")
                  .Register(*registry_)),
      events_dropped_(prometheus::BuildCounter()
                          .Name(metrics::names::kEventsDroppedTotal)
                          .Help("Kubernetes Events dropped because the send queue was full")
                          .Register(*registry_)
                          .Add({})) {}

void OperatorMetrics::ObserveReconcile(const std::string& outcome, double seconds) {
  reconciles_.Add({{"outcome", outcome}}).Increment();
  if (outcome == "retry" || outcome == "terminal") {
    reconcile_errors_.Add({{"outcome", outcome}}).Increment();
  }
  reconcile_seconds_.Observe(seconds);
}

void OperatorMetrics::WatchRestart(const std::string& informer) {
  watch_restarts_.Add({{"informer", informer}}).Increment();
}

void OperatorMetrics::Relist(const std::string& informer) {
  relists_.Add({{"informer", informer}}).Increment();
}

void OperatorMetrics::SetQueueDepth(double depth) { queue_depth_.Set(depth); }
void OperatorMetrics::SetLeader(bool leader) { leader_.Set(leader ? 1 : 0); }
void OperatorMetrics::SetCachedObjects(const std::string& informer, double n) {
  cached_.Add({{"informer", informer}}).Set(n);
}
void OperatorMetrics::EventDropped() { events_dropped_.Increment(); }

std::string OperatorMetrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace mm::op
