#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/api/enums.h"

namespace mm::api {

// Every metric an alert can name. The catalogue below is the one table of what each means:
// the parser validates alerts with it, the sidecar and the operator compute and report what it
// lists, and docs/api.md and the CRD's enum and CEL lists repeat it (a unit test checks the CRD).
enum class Metric {
  kLatencyP50Seconds,
  kLatencyP90Seconds,
  kLatencyP99Seconds,
  kTtftP99Seconds,
  kErrorRate,
  kRequestsPerSecond,
  kCpuCores,
  kMemoryBytes,
  kGpuUtilization,
  kGpuMemoryBytes,
  kAccuracy,
  kPrecision,
  kRecall,
  kF1,
  kAucRoc,
  kLogLoss,
  kMae,
  kRmse,
  kMape,
  kR2,
  kPredictionPsi,
  kLabelCoverage,
};

// The base unit of a metric's value (and of an alert's threshold on it).
enum class MetricUnit {
  kSeconds,
  kRatio,          // 0..1
  kPerSecond,      // requests per second
  kCores,          // CPU cores
  kBytes,          //
  kLabelUnit,      // the unit of the regression label (mae, rmse)
  kDimensionless,  // log_loss, psi, r2, mape (a fraction that may exceed 1)
};

// Where the measurements come from, which also says what a "sample" is.
enum class MetricSource {
  kRequests,     // the sidecar's proxy: one sample per request (per streamed response for TTFT)
  kResources,    // the sidecar's resource sampler: one sample per reading
  kLabels,       // predictions joined with their labels: one sample per labelled prediction
  kPredictions,  // stored predictions (drift): one sample per prediction
};

// The tasks a label metric applies to, as a bit set of 1 << Task.
using TaskSet = unsigned;
constexpr TaskSet TaskBit(Task t) { return 1u << static_cast<unsigned>(t); }
constexpr TaskSet kClassificationTasks =
    TaskBit(Task::kBinaryClassification) | TaskBit(Task::kMulticlassClassification);
constexpr TaskSet kAllTasks = kClassificationTasks | TaskBit(Task::kRegression);

struct MetricInfo {
  Metric metric;
  std::string_view name;  // as written in alerts and status.metrics
  MetricUnit unit;
  MetricSource source;
  // Label metrics need spec.groundTruth whose task is in `tasks`; others have tasks == 0.
  TaskSet tasks;
  // The quantile of a latency distribution (0.99 for latency_p99_seconds); 0 for the others.
  double quantile;
  // Valid alert thresholds, inclusive.
  double min_threshold;
  double max_threshold;
  std::string_view description;

  bool needs_labels() const { return source == MetricSource::kLabels; }
  bool AppliesTo(Task task) const { return (tasks & TaskBit(task)) != 0; }
};

// All metrics, in the order of the Metric enum (and of the CRD's enum).
std::span<const MetricInfo> MetricCatalogue();
const MetricInfo& Describe(Metric metric);
std::string_view ToString(Metric metric);
std::optional<Metric> MetricFromName(std::string_view name);
std::string_view ToString(MetricUnit unit);

// Whether an alert on `metric` may have `confidence`: the metric has a confidence
// interval from the aggregates (docs/alerts.md, "Confidence"). precision and
// recall have one for binary classification only (multiclass: macro averages).
bool HasConfidenceInterval(Metric metric);
// Those metrics' names, comma separated, for messages.
std::string MetricsWithConfidenceInterval();

// The names of the label metrics that apply to `task`, comma separated, for messages.
std::string MetricsFor(Task task);

}  // namespace mm::api
