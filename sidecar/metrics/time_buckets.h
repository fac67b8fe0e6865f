#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

#include "common/metrics/bucket_stats.h"

namespace mm::sidecar {

// A ring of BucketStats: `width` wide, the last `capacity` kept. Thread-safe:
// the data path records, the admin port reads.
class TimeBuckets {
 public:
  TimeBuckets(std::chrono::seconds width, size_t capacity);

  void Record(const metrics::RequestObservation& o);
  void CountPredictions(std::chrono::system_clock::time_point t, bool recorded, uint64_t n);
  void CountExtractionError(std::chrono::system_clock::time_point t);
  void CountResourceReading(std::chrono::system_clock::time_point t);

  // Buckets whose start is >= since_unix, oldest first.
  std::vector<metrics::BucketStats> Since(int64_t since_unix) const;
  std::chrono::seconds width() const { return width_; }

 private:
  metrics::BucketStats& BucketFor(std::chrono::system_clock::time_point t);  // holds mu_

  const std::chrono::seconds width_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<metrics::BucketStats> buckets_;  // ascending start
  metrics::BucketStats too_old_;              // sink for observations older than all kept
};

}  // namespace mm::sidecar
