#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/metrics/bucket_stats.h"
#include "common/metrics/resource_reading.h"
#include "common/result.h"

namespace mm::metrics {

// The /v1/snapshot document (format in docs/sidecar.md): versioned so the
// operator can refuse what it does not understand.
inline constexpr const char* kSnapshotKind = "SidecarSnapshot";
inline constexpr int kSnapshotVersion = 1;

struct SidecarSnapshot {
  int64_t generated_at_unix = 0;
  int64_t bucket_seconds = 0;
  std::vector<BucketStats> buckets;  // ascending start
  ResourceReading resources;         // the latest reading of the model's resources

  nlohmann::json ToJson() const;
  static Result<SidecarSnapshot> FromJson(const nlohmann::json& j);
  // Adds `other` bucket by bucket (same start time); both must use one bucket width.
  Status Merge(const SidecarSnapshot& other);
};

}  // namespace mm::metrics
