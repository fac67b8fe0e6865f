#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "sidecar/metrics/accuracy_report.h"

namespace mm::sidecar {

// The accuracy side of the sidecar's /metrics: one gauge per metric of
// docs/accuracy.md (modelmonitor_accuracy, modelmonitor_auc_roc,
// modelmonitor_label_coverage, ...) labelled with the window it covers, and
// counters for the prediction queue. Handles are created once (never on a hot
// path); Update is called by a timer, not per request.
class AccuracyGauges {
 public:
  AccuracyGauges(prometheus::Registry& registry, std::string window_label);

  // A metric absent from the report (undefined for the window) reads NaN.
  void Update(const AccuracyReport& report, int64_t predictions_dropped,
              int64_t predictions_write_errors, int64_t pending);

  // The metric names exposed as gauges, in the report's words.
  static const std::vector<std::string>& MetricNames();

 private:
  std::map<std::string, prometheus::Gauge*> gauges_;
  prometheus::Counter* dropped_;
  prometheus::Counter* write_errors_;
  prometheus::Gauge* pending_;
  double dropped_seen_ = 0;
  double write_errors_seen_ = 0;
};

}  // namespace mm::sidecar
