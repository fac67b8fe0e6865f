#pragma once

#include <map>
#include <nlohmann/json.hpp>

#include "common/metrics/accuracy_bucket.h"
#include "common/metrics/accuracy_report.h"
#include "common/result.h"

namespace mm::metrics {

// The mergeable accuracy state of one sidecar (or, merged, of a whole monitor):
// buckets by start time plus the prediction_psi reference. Serialized as the
// "accuracy" part of /v1/snapshot; the format is in docs/snapshot-format.md.
struct AccuracySnapshot {
  static constexpr int kVersion = 1;

  AccuracyConfig config;
  std::map<TimeMs, AccuracyBucket> buckets;  // bucket start -> state
  // prediction_bins of the first config.reference_ms of traffic.
  std::map<int64_t, int64_t> reference_bins;
  TimeMs reference_from = 0;  // 0: no prediction seen yet

  // Adds `other` into this one: buckets with the same start are merged, the
  // references summed. Refused (nothing changed) when the two were made with a
  // different task, positive class, threshold or bucket width.
  Status Merge(const AccuracySnapshot& other);
  // The buckets that start in [from, to), merged into one.
  AccuracyBucket Window(TimeMs from, TimeMs to) const;
  // The metrics of that window, prediction_psi included.
  AccuracyReport Report(TimeMs from, TimeMs to) const;
};

nlohmann::json ToJson(const AccuracySnapshot& snapshot);
// Checks what it reads: a wrong format or version, or a malformed field, is an
// Error naming the field.
Result<AccuracySnapshot> AccuracySnapshotFromJson(const nlohmann::json& json);

}  // namespace mm::metrics
