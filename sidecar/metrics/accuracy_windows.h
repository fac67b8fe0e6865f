#pragma once

#include <cstdint>
#include <mutex>
#include <span>

#include "sidecar/metrics/accuracy_snapshot.h"
#include "sidecar/store/prediction_store.h"

namespace mm::sidecar {

// The sidecar's accuracy state over time: one AccuracyBucket per bucket_ms
// (aligned to the epoch, so every pod's buckets line up), kept for retention_ms.
// Memory is bounded: retention/bucket buckets, each bounded by the number of
// classes and the fixed bins. Thread-safe; the writer thread, label requests,
// the sweeper and /v1/snapshot call it concurrently.
class AccuracyWindows {
 public:
  explicit AccuracyWindows(AccuracyConfig config);

  // A batch the store wrote: recorded (by prediction time), evictions and joins
  // with early labels (at `now`).
  void RecordWritten(std::span<const Prediction> predictions, const PutResult& result, TimeMs now);
  void RecordJoins(std::span<const JoinedLabel> joins);
  void RecordExpired(int64_t n, TimeMs now);
  void RecordLabelAnswer(int64_t unknown, int64_t duplicate, int64_t invalid, TimeMs now);

  // After a restart: the joins still in the store whose label arrived within
  // retention go back into their buckets, so labelled_samples and the quality
  // metrics survive a crash. (recorded/expired/evicted counts of the buckets
  // before the restart are not restored.) Call once, before traffic.
  Status RestoreJoins(PredictionStore& store, TimeMs now);

  // The buckets that start at or after `since` (0: all) and the reference.
  AccuracySnapshot Snapshot(TimeMs since) const;
  // Predictions evicted and expired since the sidecar started (the buckets hold
  // them per time bucket, for the windows; these are for counters).
  int64_t evicted_total() const;
  int64_t expired_total() const;
  const AccuracyConfig& config() const { return config_; }

 private:
  AccuracyBucket& BucketAt(TimeMs t);  // creates; drops buckets past retention
  TimeMs BucketStart(TimeMs t) const;

  const AccuracyConfig config_;
  mutable std::mutex mu_;
  std::map<TimeMs, AccuracyBucket> buckets_;
  TimeMs newest_ = 0;
  AccuracyBucket discarded_;
  std::map<int64_t, int64_t> reference_bins_;
  TimeMs reference_from_ = 0;
  int64_t evicted_total_ = 0;
  int64_t expired_total_ = 0;
};

}  // namespace mm::sidecar
