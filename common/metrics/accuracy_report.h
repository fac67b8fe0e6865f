#pragma once

#include <map>
#include <string>

#include "common/metrics/accuracy_bucket.h"

namespace mm::metrics {

// Metric name (DESIGN.md's alert metric names, plus a few details) -> value.
// A metric that is undefined for the data (no labels yet, one class only) is
// absent rather than 0 or NaN, so an alert on it is Inconclusive, not wrong.
using AccuracyReport = std::map<std::string, double>;

// The metrics of one (usually merged) bucket; formulas in docs/accuracy.md.
AccuracyReport ComputeAccuracy(const AccuracyBucket& bucket, const AccuracyConfig& config);

// Estimates a quantile (0..1) of the label delay, in seconds, by linear
// interpolation inside its fixed bucket; false when no label was joined.
bool LabelDelayQuantile(const AccuracyBucket& bucket, double q, double* seconds);

}  // namespace mm::metrics
