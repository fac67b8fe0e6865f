#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <vector>

#include "common/metrics/accuracy_report.h"
#include "sidecar/store/prediction_store.h"
#include "sidecar/store/store_health.h"

namespace mm::sidecar {

// The accuracy side of the sidecar's /metrics: one gauge per metric of
// docs/accuracy.md (modelmonitor_accuracy, modelmonitor_auc_roc,
// modelmonitor_label_coverage, ...) labelled with the window it covers,
// counters of predictions lost or resolved without a label
// (modelmonitor_predictions_{dropped,write_errors,evicted,expired}_total), and the
// store's health (modelmonitor_store_errors_total{operation,reason},
// modelmonitor_store_degraded). Handles are created once (never on a hot path);
// Update is called by a timer, not per request.
class AccuracyGauges {
 public:
  AccuracyGauges(prometheus::Registry& registry, std::string window_label);

  // A metric absent from the report (undefined for the window) reads NaN.
  void Update(const metrics::AccuracyReport& report, const PredictionTotals& totals,
              int64_t pending, const StoreHealth::Counts& store_health = {});

 private:
  // A counter fed from a total kept elsewhere: it moves by the difference.
  struct TotalCounter {
    prometheus::Counter* counter = nullptr;
    int64_t seen = 0;
    void Sync(int64_t total);
  };

  std::map<std::string, prometheus::Gauge*> gauges_;
  TotalCounter dropped_, write_errors_, evicted_, expired_;
  prometheus::Gauge* pending_;
  TotalCounter store_errors_[3][2];  // [StoreOperation][StoreFailure]
  prometheus::Gauge* store_degraded_;
};

}  // namespace mm::sidecar
