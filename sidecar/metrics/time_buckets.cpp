#include "sidecar/metrics/time_buckets.h"

#include <algorithm>
#include <iterator>

namespace mm::sidecar {

TimeBuckets::TimeBuckets(std::chrono::seconds width, size_t capacity)
    : width_(std::max(width, std::chrono::seconds(1))), capacity_(std::max<size_t>(capacity, 1)) {}

metrics::BucketStats& TimeBuckets::BucketFor(std::chrono::system_clock::time_point t) {
  const int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const int64_t w = width_.count();
  const int64_t start = secs - ((secs % w) + w) % w;
  if (!buckets_.empty() && buckets_.back().start_unix == start) return buckets_.back();
  // Usually the newest bucket; a late observation (clock step, slow request) may
  // belong to an older one, inserted in order.
  auto pos = buckets_.end();
  while (pos != buckets_.begin() && std::prev(pos)->start_unix > start) --pos;
  if (pos != buckets_.begin() && std::prev(pos)->start_unix == start) return *std::prev(pos);
  if (pos == buckets_.begin() && buckets_.size() >= capacity_) {
    too_old_ = metrics::BucketStats{};  // older than everything kept: counted nowhere
    return too_old_;
  }
  pos = buckets_.insert(pos, metrics::BucketStats{});
  pos->start_unix = start;
  const int64_t keep_from = start;
  while (buckets_.size() > capacity_ && buckets_.front().start_unix != keep_from) {
    buckets_.pop_front();
  }
  for (auto& b : buckets_) {
    if (b.start_unix == start) return b;
  }
  return buckets_.back();  // unreachable: the bucket was just inserted
}

void TimeBuckets::Record(const metrics::RequestObservation& o) {
  std::lock_guard<std::mutex> lock(mu_);
  BucketFor(o.time).Add(o);
}

void TimeBuckets::CountPredictions(std::chrono::system_clock::time_point t, bool recorded,
                                   uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& b = BucketFor(t);
  (recorded ? b.predictions_recorded : b.predictions_dropped) += n;
}

void TimeBuckets::CountResourceReading(std::chrono::system_clock::time_point t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++BucketFor(t).resource_readings;
}

void TimeBuckets::CountExtractionError(std::chrono::system_clock::time_point t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++BucketFor(t).extraction_errors;
}

std::vector<metrics::BucketStats> TimeBuckets::Since(int64_t since_unix) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<metrics::BucketStats> out;
  for (const auto& b : buckets_) {
    if (b.start_unix >= since_unix) out.push_back(b);
  }
  return out;
}

}  // namespace mm::sidecar
