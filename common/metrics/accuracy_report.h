#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/api/metric_catalogue.h"
#include "common/metrics/accuracy_bucket.h"

namespace mm::metrics {

// The metrics of one (usually merged) bucket; formulas in docs/accuracy.md. A value
// that is undefined for the data (no labels yet, no positive label for recall, one
// class only for AUC) is absent rather than 0 or NaN, so an alert on it is
// Inconclusive, not wrong.
struct AccuracyReport {
  // What happened to predictions in the window.
  int64_t samples = 0;               // recorded
  int64_t labeled_samples = 0;       // joined with their label
  int64_t expired = 0;               // no label within maxLabelDelay
  int64_t evicted = 0;               // pushed out by maxPending
  int64_t labeled_unmeasurable = 0;  // joined, but not measurable (NaN score, ...)
  std::optional<double> label_coverage;
  std::optional<double> label_delay_mean_seconds;
  std::optional<double> label_delay_p50_seconds;
  std::optional<double> label_delay_p90_seconds;
  std::optional<double> label_delay_p99_seconds;

  // Classification. precision, recall and f1 are the positive class's for a binary
  // task and the macro averages for a multiclass one.
  std::optional<double> accuracy;
  std::optional<double> precision;
  std::optional<double> recall;
  std::optional<double> f1;
  std::optional<double> precision_macro;
  std::optional<double> recall_macro;
  std::optional<double> f1_macro;
  std::optional<double> precision_micro;
  std::optional<double> recall_micro;
  std::optional<double> f1_micro;
  std::optional<double> log_loss;
  std::optional<double> auc_roc;
  std::optional<double> auc_roc_error_bound;  // |auc_roc - exact AUC| <= this (binned scores)

  // Regression.
  std::optional<double> mae;
  std::optional<double> rmse;
  std::optional<double> mape;
  std::optional<double> r2;

  // The prediction distribution against the reference (AccuracySnapshot::Report).
  std::optional<double> prediction_psi;

  // The value an alert on `metric` reads: the label and prediction metrics of the
  // API; nullopt when it is undefined here, or `metric` is measured elsewhere
  // (latency, resources).
  std::optional<double> Of(api::Metric metric) const;

  // Every value with the name it is exported under (the sidecar's
  // modelmonitor_<name> gauges, docs/sidecar.md), in one fixed order; the counts
  // are always there, the others when defined.
  struct NamedValue {
    const char* name;
    std::optional<double> value;
  };
  std::vector<NamedValue> All() const;
};

// The metrics of one (usually merged) bucket.
AccuracyReport ComputeAccuracy(const AccuracyBucket& bucket, const AccuracyConfig& config);

// Estimates a quantile (0..1) of the label delay, in seconds, by linear
// interpolation inside its fixed bucket; false when no label was joined.
bool LabelDelayQuantile(const AccuracyBucket& bucket, double q, double* seconds);

}  // namespace mm::metrics
