#include "sidecar/metrics/accuracy_gauges.h"

#include <algorithm>
#include <limits>

namespace mm::sidecar {

const std::vector<std::string>& AccuracyGauges::MetricNames() {
  static const std::vector<std::string> names = {"accuracy",
                                                 "precision",
                                                 "recall",
                                                 "f1",
                                                 "precision_macro",
                                                 "recall_macro",
                                                 "f1_macro",
                                                 "precision_micro",
                                                 "recall_micro",
                                                 "f1_micro",
                                                 "auc_roc",
                                                 "auc_roc_error_bound",
                                                 "log_loss",
                                                 "mae",
                                                 "rmse",
                                                 "mape",
                                                 "r2",
                                                 "label_coverage",
                                                 "prediction_psi",
                                                 "samples",
                                                 "labeled_samples",
                                                 "expired",
                                                 "evicted",
                                                 "label_delay_mean_seconds",
                                                 "label_delay_p50_seconds",
                                                 "label_delay_p90_seconds",
                                                 "label_delay_p99_seconds"};
  return names;
}

AccuracyGauges::AccuracyGauges(prometheus::Registry& registry, std::string window_label) {
  const prometheus::Labels labels = {{"window", window_label}};
  for (const std::string& name : MetricNames()) {
    auto& family = prometheus::BuildGauge()
                       .Name("modelmonitor_" + name)
                       .Help("Model quality against delayed labels: " + name +
                             " over the window (docs/accuracy.md); NaN when undefined")
                       .Register(registry);
    gauges_[name] = &family.Add(labels);
  }
  const auto counter = [&](const std::string& name, const std::string& help) {
    return TotalCounter{
        &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({})};
  };
  dropped_ = counter("modelmonitor_predictions_dropped_total",
                     "Predictions dropped because the store's queue was full");
  write_errors_ = counter("modelmonitor_prediction_write_errors_total",
                          "Predictions lost because the store refused their batch");
  evicted_ = counter("modelmonitor_predictions_evicted_total",
                     "Predictions pushed out of the store by maxPending before their label came");
  expired_ = counter("modelmonitor_predictions_expired_total",
                     "Predictions whose label did not come within maxLabelDelay");
  pending_ = &prometheus::BuildGauge()
                  .Name("modelmonitor_predictions_pending")
                  .Help("Predictions waiting for their label")
                  .Register(registry)
                  .Add({});
  auto& store_errors =
      prometheus::BuildCounter()
          .Name("modelmonitor_store_errors_total")
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
                         .Name("modelmonitor_store_degraded")
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
  for (auto& [name, gauge] : gauges_) {
    const auto it = report.find(name);
    gauge->Set(it == report.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
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
