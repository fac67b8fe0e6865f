#include "sidecar/metrics/accuracy_gauges.h"

#include <algorithm>
#include <limits>

#include "common/metrics/metric_names.h"

namespace mm::sidecar {

AccuracyGauges::AccuracyGauges(prometheus::Registry& registry, std::string window_label) {
  const prometheus::Labels labels = {{"window", window_label}};
  // One gauge per value of the report, under the report's own names.
  for (const auto& [name, unused] : metrics::AccuracyReport{}.All()) {
    auto& family = prometheus::BuildGauge()
                       .Name(metrics::names::AccuracyGauge(name))
                       .Help(std::string("Model quality against delayed labels: ") + name +
                             " over the window (docs/accuracy.md); NaN when undefined")
                       .Register(registry);
    gauges_[name] = &family.Add(labels);
  }
  const auto counter = [&](const std::string& name, const std::string& help) {
    return TotalCounter{
        &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({})};
  };
  dropped_ = counter(metrics::names::kPredictionsDroppedTotal,
                     "Predictions dropped because the store's queue was full");
  write_errors_ = counter(metrics::names::kPredictionWriteErrorsTotal,
                          "Predictions lost because the store refused their batch");
  evicted_ = counter(metrics::names::kPredictionsEvictedTotal,
                     "Predictions pushed out of the store by maxPending before their label came");
  expired_ = counter(metrics::names::kPredictionsExpiredTotal,
                     "Predictions whose label did not come within maxLabelDelay");
  pending_ = &prometheus::BuildGauge()
                  .Name(metrics::names::kPredictionsPending)
                  .Help("Predictions waiting for their label")
                  .Register(registry)
                  .Add({});
  auto& store_errors =
      prometheus::BuildCounter()
          .Name(metrics::names::kStoreErrorsTotal)
          .Help(
              "Prediction store transactions that failed, by what they wrote (predictions, "
              "labels, sweep) and why (full: the store's volume is full; error: anything else)")
          .Register(registry);
  for (auto op : {StoreOperation::kPredictions, StoreOperation::kLabels, StoreOperation::kSweep}) {
    for (auto cause : {StoreFailure::kFull, StoreFailure::kError}) {
      store_errors_[static_cast<int>(op)][static_cast<int>(cause)].counter = &store_errors.Add(
          {{"operation", StoreHealth::Name(op)}, {"reason", StoreHealth::Name(cause)}});
    }
  }
  store_degraded_ = &prometheus::BuildGauge()
                         .Name(metrics::names::kStoreDegraded)
                         .Help(
                             "1 while the prediction store cannot write (its last write failed; "
                             "inference goes on, predictions and labels are lost), else 0")
                         .Register(registry)
                         .Add({});
}

void AccuracyGauges::TotalCounter::Sync(int64_t total) {
  if (total > seen) counter->Increment(static_cast<double>(total - seen));
  seen = std::max(seen, total);
}

void AccuracyGauges::Update(const metrics::AccuracyReport& report, const PredictionTotals& totals,
                            int64_t pending, const StoreHealth::Counts& store_health) {
  for (const auto& [name, value] : report.All()) {
    gauges_.at(name)->Set(value.value_or(std::numeric_limits<double>::quiet_NaN()));
  }
  dropped_.Sync(totals.dropped);
  write_errors_.Sync(totals.write_errors);
  evicted_.Sync(totals.evicted);
  expired_.Sync(totals.expired);
  pending_->Set(static_cast<double>(pending));
  for (int op = 0; op < 3; ++op) {
    for (int cause = 0; cause < 2; ++cause)
      store_errors_[op][cause].Sync(store_health.failures[op][cause]);
  }
  store_degraded_->Set(store_health.degraded ? 1 : 0);
}

}  // namespace mm::sidecar
