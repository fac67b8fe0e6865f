#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "common/metrics/log_histogram.h"
#include "common/metrics/request_observation.h"
#include "common/result.h"

namespace mm::metrics {

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

}  // namespace mm::metrics
