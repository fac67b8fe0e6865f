#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/api/duration.h"
#include "common/api/metric_catalogue.h"
#include "operator/alerts/snapshot_collector.h"

namespace mm::op {

// One metric over one window, monitor-wide. `value` is unset when the data
// cannot give one (no requests, no labels, no resource reading, a NaN):
// `why` says which, and an alert on it is Inconclusive.
struct Measurement {
  std::optional<double> value;
  int64_t samples = 0;  // what a sample is depends on the metric (MetricSource)
  std::string why;      // set when value is unset
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
  std::vector<nlohmann::json> resources_;  // one per pod that reported any
};

}  // namespace mm::op
