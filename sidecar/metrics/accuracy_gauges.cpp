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
  dropped_ = &prometheus::BuildCounter()
                  .Name("modelmonitor_predictions_dropped_total")
                  .Help("Predictions dropped because the store's queue was full")
                  .Register(registry)
                  .Add({});
  write_errors_ = &prometheus::BuildCounter()
                       .Name("modelmonitor_prediction_write_errors_total")
                       .Help("Predictions lost because the store refused their batch")
                       .Register(registry)
                       .Add({});
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
      store_errors_[static_cast<int>(op)][static_cast<int>(cause)] = &store_errors.Add(
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

void AccuracyGauges::Update(const AccuracyReport& report, int64_t predictions_dropped,
                            int64_t predictions_write_errors, int64_t pending,
                            const StoreHealth::Counts& store_health) {
  for (auto& [name, gauge] : gauges_) {
    const auto it = report.find(name);
    gauge->Set(it == report.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
  }
  // The sources are monotonic totals; counters move by the difference.
  const auto dropped = static_cast<double>(predictions_dropped);
  const auto errors = static_cast<double>(predictions_write_errors);
  if (dropped > dropped_seen_) dropped_->Increment(dropped - dropped_seen_);
  if (errors > write_errors_seen_) write_errors_->Increment(errors - write_errors_seen_);
  dropped_seen_ = std::max(dropped_seen_, dropped);
  write_errors_seen_ = std::max(write_errors_seen_, errors);
  pending_->Set(static_cast<double>(pending));
  for (int op = 0; op < 3; ++op) {
    for (int cause = 0; cause < 2; ++cause) {
      const int64_t total = store_health.failures[op][cause];
      int64_t& seen = store_errors_seen_[op][cause];
      if (total > seen) store_errors_[op][cause]->Increment(static_cast<double>(total - seen));
      seen = std::max(seen, total);
    }
  }
  store_degraded_->Set(store_health.degraded ? 1 : 0);
}

}  // namespace mm::sidecar
