#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/result.h"
#include "sidecar/metrics/time_buckets.h"

namespace mm::sidecar {

// The /v1/snapshot document (format in docs/sidecar.md): versioned so the
// operator can refuse what it does not understand.
inline constexpr const char* kSnapshotKind = "SidecarSnapshot";
inline constexpr int kSnapshotVersion = 1;

struct Snapshot {
  int64_t generated_at_unix = 0;
  int64_t bucket_seconds = 0;
  std::vector<BucketStats> buckets;  // ascending start
  nlohmann::json resources = nlohmann::json::object();

  nlohmann::json ToJson() const;
  static Result<Snapshot> FromJson(const nlohmann::json& j);
  // Adds `other` bucket by bucket (same start time); both must use one bucket width.
  Status Merge(const Snapshot& other);
};

}  // namespace mm::sidecar
