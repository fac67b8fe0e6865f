#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "sidecar/metrics/log_histogram.h"
#include "sidecar/metrics/request_observation.h"

namespace mm::sidecar {

// The mergeable state of one time bucket [start, start + width): everything is a
// sum or a LogHistogram, so buckets of many pods (or of consecutive times) add up
// exactly. Serialised as one element of the snapshot's "buckets" (docs/sidecar.md).
struct BucketStats {
  int64_t start_unix = 0;
  uint64_t requests = 0;
  uint64_t responses_by_class[6] = {};  // [1] = 1xx ... [5] = 5xx; [0] unused
  uint64_t upstream_unavailable = 0;
  uint64_t upstream_timeout = 0;
  uint64_t streams = 0;
  uint64_t output_tokens = 0;
  uint64_t predictions_recorded = 0;
  uint64_t predictions_dropped = 0;
  uint64_t extraction_errors = 0;
  // Readings of the model's resources taken in the bucket (ResourceSampler), so a
  // resource alert's samples are readings over its window, not pods.
  uint64_t resource_readings = 0;
  LogHistogram latency_seconds;
  LogHistogram ttft_seconds;
  LogHistogram tokens_per_second;

  void Add(const RequestObservation& o);
  void Merge(const BucketStats& other);
  nlohmann::json ToJson() const;
  static Result<BucketStats> FromJson(const nlohmann::json& j);
};

// A ring of BucketStats: `width` wide, the last `capacity` kept. Thread-safe:
// the data path records, the admin port reads.
class TimeBuckets {
 public:
  TimeBuckets(std::chrono::seconds width, size_t capacity);

  void Record(const RequestObservation& o);
  void CountPredictions(std::chrono::system_clock::time_point t, bool recorded, uint64_t n);
  void CountExtractionError(std::chrono::system_clock::time_point t);
  void CountResourceReading(std::chrono::system_clock::time_point t);

  // Buckets whose start is >= since_unix, oldest first.
  std::vector<BucketStats> Since(int64_t since_unix) const;
  std::chrono::seconds width() const { return width_; }

 private:
  BucketStats& BucketFor(std::chrono::system_clock::time_point t);  // holds mu_

  const std::chrono::seconds width_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<BucketStats> buckets_;  // ascending start
  BucketStats too_old_;              // sink for observations older than all kept
};

}  // namespace mm::sidecar
