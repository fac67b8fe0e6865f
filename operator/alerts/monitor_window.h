#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/api/duration.h"
#include "common/api/metric_catalogue.h"
#include "operator/alerts/snapshot_collector.h"

namespace mm::op {

// What a metric's confidence bounds are computed from (ConfidenceBounds in
// rule_evaluator.h): the counts and sums behind the value, never the value alone.
struct Evidence {
  enum class Kind {
    kNone,                  // the metric has no interval (docs/alerts.md, "Confidence")
    kProportion,            // successes of trials: Wilson score
    kAuc,                   // positives, negatives, auc: Hanley-McNeil
    kMeanAbsoluteError,     // count, abs_error_sum, squared_error_sum: t interval
    kRootMeanSquaredError,  // count, squared_error_sum: chi-square
    kQuantile,              // histogram, quantile: order statistics
  };
  Kind kind = Kind::kNone;
  int64_t count = 0;      // trials, positives, labelled predictions or values
  int64_t successes = 0;  // kProportion
  int64_t negatives = 0;  // kAuc
  double auc = 0;         // kAuc
  double auc_binning_error = 0;
  double abs_error_sum = 0;
  double squared_error_sum = 0;
  double quantile = 0;                                     // kQuantile: 0.99 for p99
  std::shared_ptr<const metrics::LogHistogram> histogram;  // kQuantile
};

// One metric over one window, monitor-wide. `value` is unset when the data
// cannot give one (no requests, no labels, no resource reading, a NaN):
// `why` says which, and an alert on it is Inconclusive.
struct Measurement {
  std::optional<double> value;
  // What minSamples counts: the count the metric's uncertainty depends on
  // (docs/alerts.md's table): requests for latency, positive labels for recall,
  // predicted positives for precision, min(positives, negatives) for AUC,
  // predictions due a label for label_coverage, readings for resources.
  int64_t samples = 0;
  std::string why;  // set when value is unset
  Evidence evidence;
};

// The merged state of all the pods of one monitor that answered: request
// buckets added bucket by bucket (Snapshot::Merge), accuracy buckets likewise
// (AccuracySnapshot::Merge), and each pod's latest resource reading.
//
// A window of length W at time `now` covers every bucket that overlaps
// [now - W, now]: the oldest bucket may start up to one bucket width before
// now - W, so the data covered is at least W long, never shorter.
class MonitorWindow {
 public:
  // Pods whose snapshot cannot be merged with the others (another bucket width,
  // another accuracy configuration) are moved from `c.snapshots` to `c.failed`.
  static MonitorWindow Merge(Collection& c);

  Measurement Measure(api::Metric metric, api::Duration window, int64_t now_unix) const;

  int pods() const { return pods_; }

 private:
  metrics::BucketStats RequestsIn(api::Duration window, int64_t now_unix) const;

  int pods_ = 0;
  int64_t bucket_seconds_ = 0;
  std::vector<metrics::BucketStats> buckets_;  // ascending start
  std::optional<metrics::AccuracySnapshot> accuracy_;
  std::vector<metrics::ResourceReading> resources_;  // one per pod that reported any
};

}  // namespace mm::op
