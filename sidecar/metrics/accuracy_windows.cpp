#include "sidecar/metrics/accuracy_windows.h"

namespace mm::sidecar {

AccuracyWindows::AccuracyWindows(metrics::AccuracyConfig config) : config_(config) {}

metrics::TimeMs AccuracyWindows::BucketStart(metrics::TimeMs t) const {
  const metrics::TimeMs w = config_.bucket_ms;
  return (t >= 0 ? t / w : (t - w + 1) / w) * w;
}

metrics::AccuracyBucket& AccuracyWindows::BucketAt(metrics::TimeMs t) {
  const metrics::TimeMs start = BucketStart(t);
  // Late data for a bucket already dropped must not recreate it: memory stays bounded.
  if (start < newest_ - config_.retention_ms) {
    discarded_ = metrics::AccuracyBucket{};
    return discarded_;
  }
  if (start > newest_) {
    newest_ = start;
    const metrics::TimeMs oldest_kept = newest_ - config_.retention_ms;
    buckets_.erase(buckets_.begin(), buckets_.lower_bound(oldest_kept));
  }
  return buckets_[start];
}

void AccuracyWindows::RecordWritten(std::span<const metrics::Prediction> predictions,
                                    const PutResult& result, metrics::TimeMs now) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < predictions.size(); ++i) {
    if (i < result.stored.size() && !result.stored[i]) continue;  // a repeated id
    const metrics::Prediction& p = predictions[i];
    if (reference_from_ == 0) reference_from_ = p.time;
    if (p.time >= reference_from_ && p.time < reference_from_ + config_.reference_ms) {
      ++reference_bins_[metrics::PredictionBin(p, config_)];
    }
    BucketAt(p.time).AddRecorded(p, config_);
  }
  if (result.evicted > 0) BucketAt(now).evicted += result.evicted;
  evicted_total_ += result.evicted;
  for (const metrics::JoinedLabel& j : result.early) BucketAt(j.joined_at).AddJoined(j, config_);
}

void AccuracyWindows::RecordJoins(std::span<const metrics::JoinedLabel> joins) {
  std::lock_guard lock(mu_);
  for (const metrics::JoinedLabel& j : joins) BucketAt(j.joined_at).AddJoined(j, config_);
}

void AccuracyWindows::RecordExpired(int64_t n, metrics::TimeMs now) {
  if (n == 0) return;
  std::lock_guard lock(mu_);
  BucketAt(now).expired += n;
  expired_total_ += n;
}

int64_t AccuracyWindows::evicted_total() const {
  std::lock_guard lock(mu_);
  return evicted_total_;
}

int64_t AccuracyWindows::expired_total() const {
  std::lock_guard lock(mu_);
  return expired_total_;
}

void AccuracyWindows::RecordLabelAnswer(int64_t unknown, int64_t duplicate, int64_t invalid,
                                        metrics::TimeMs now) {
  std::lock_guard lock(mu_);
  auto& b = BucketAt(now);
  b.labels_unknown += unknown;
  b.labels_duplicate += duplicate;
  b.labels_invalid += invalid;
}

Status AccuracyWindows::RestoreJoins(PredictionStore& store, metrics::TimeMs now) {
  std::lock_guard lock(mu_);
  return store.ForEachJoined(now - config_.retention_ms, [&](const metrics::JoinedLabel& j) {
    BucketAt(j.joined_at).AddJoined(j, config_);
  });
}

metrics::AccuracySnapshot AccuracyWindows::Snapshot(metrics::TimeMs since) const {
  std::lock_guard lock(mu_);
  metrics::AccuracySnapshot s;
  s.config = config_;
  s.buckets.insert(buckets_.lower_bound(since), buckets_.end());
  s.reference_bins = reference_bins_;
  s.reference_from = reference_from_;
  return s;
}

}  // namespace mm::sidecar
