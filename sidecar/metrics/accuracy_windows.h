#pragma once

#include <cstdint>
#include <mutex>
#include <span>

#include "common/metrics/accuracy_snapshot.h"
#include "sidecar/store/prediction_store.h"

namespace mm::sidecar {

// The sidecar's accuracy state over time: one AccuracyBucket per bucket_ms
// (aligned to the epoch, so every pod's buckets line up), kept for retention_ms.
// Memory is bounded: retention/bucket buckets, each bounded by the number of
// classes and the fixed bins. Thread-safe; the writer thread, label requests,
// the sweeper and /v1/snapshot call it concurrently.
class AccuracyWindows {
 public:
  explicit AccuracyWindows(metrics::AccuracyConfig config);

  // A batch the store wrote: recorded (by prediction time), evictions and joins
  // with early labels (at `now`).
  void RecordWritten(std::span<const metrics::Prediction> predictions, const PutResult& result,
                     metrics::TimeMs now);
  void RecordJoins(std::span<const metrics::JoinedLabel> joins);
  void RecordExpired(int64_t n, metrics::TimeMs now);
  void RecordLabelAnswer(int64_t unknown, int64_t duplicate, int64_t invalid, metrics::TimeMs now);

  // After a restart: the joins still in the store whose label arrived within
  // retention go back into their buckets, so labelled_samples and the quality
  // metrics survive a crash. (recorded/expired/evicted counts of the buckets
  // before the restart are not restored.) Call once, before traffic.
  Status RestoreJoins(PredictionStore& store, metrics::TimeMs now);

  // The buckets that start at or after `since` (0: all) and the reference.
  metrics::AccuracySnapshot Snapshot(metrics::TimeMs since) const;
  // Predictions evicted and expired since the sidecar started (the buckets hold
  // them per time bucket, for the windows; these are for counters).
  int64_t evicted_total() const;
  int64_t expired_total() const;
  const metrics::AccuracyConfig& config() const { return config_; }

 private:
  metrics::AccuracyBucket& BucketAt(metrics::TimeMs t);  // creates; drops buckets past retention
  metrics::TimeMs BucketStart(metrics::TimeMs t) const;

  const metrics::AccuracyConfig config_;
  mutable std::mutex mu_;
  std::map<metrics::TimeMs, metrics::AccuracyBucket> buckets_;
  metrics::TimeMs newest_ = 0;
  metrics::AccuracyBucket discarded_;
  std::map<int64_t, int64_t> reference_bins_;
  metrics::TimeMs reference_from_ = 0;
  int64_t evicted_total_ = 0;
  int64_t expired_total_ = 0;
};

}  // namespace mm::sidecar
