#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "sidecar/metrics/accuracy_report.h"
#include "sidecar/store/store_health.h"

namespace mm::sidecar {

// The accuracy side of the sidecar's /metrics: one gauge per metric of
// docs/accuracy.md (modelmonitor_accuracy, modelmonitor_auc_roc,
// modelmonitor_label_coverage, ...) labelled with the window it covers,
// counters for the prediction queue, and the store's health
// (modelmonitor_store_errors_total{operation,reason}, modelmonitor_store_degraded).
// Handles are created once (never on a hot path); Update is called by a timer,
// not per request.
class AccuracyGauges {
 public:
  AccuracyGauges(prometheus::Registry& registry, std::string window_label);

  // A metric absent from the report (undefined for the window) reads NaN.
  void Update(const AccuracyReport& report, int64_t predictions_dropped,
              int64_t predictions_write_errors, int64_t pending,
              const StoreHealth::Counts& store_health = {});

  // The metric names exposed as gauges, in the report's words.
  static const std::vector<std::string>& MetricNames();

 private:
  std::map<std::string, prometheus::Gauge*> gauges_;
  prometheus::Counter* dropped_;
  prometheus::Counter* write_errors_;
  prometheus::Gauge* pending_;
  prometheus::Counter* store_errors_[3][2] = {};  // [StoreOperation][StoreFailure]
  prometheus::Gauge* store_degraded_;
  double dropped_seen_ = 0;
  double write_errors_seen_ = 0;
  int64_t store_errors_seen_[3][2] = {};
};

}  // namespace mm::sidecar
