#pragma once

#include <cstdint>

#include "common/api/enums.h"
#include "common/metrics/prediction.h"

namespace mm::metrics {

// Classes a classifier may have (labels 0..kMaxClasses-1): bounds each bucket's
// confusion matrix and score histograms.
inline constexpr int kMaxClasses = 1000;

// How joined predictions become metrics; fixed per monitor, so every pod buckets
// the same way and the operator can merge them exactly.
struct AccuracyConfig {
  api::Task task = api::Task::kBinaryClassification;
  int positive_class = 1;  // binary: the label that counts as positive
  double threshold = 0.5;  // binary: score >= threshold -> positive
  TimeMs bucket_ms = 60 * 1000;
  TimeMs retention_ms = 2 * 3600 * 1000;  // buckets older than this are dropped
  // prediction_psi compares against the predictions of the first reference_ms of traffic.
  TimeMs reference_ms = 3600 * 1000;
};

}  // namespace mm::metrics
