#include "common/api/metric_catalogue.h"

#include <array>
#include <limits>

namespace mm::api {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr TaskSet kBinary = TaskBit(Task::kBinaryClassification);
constexpr TaskSet kRegression = TaskBit(Task::kRegression);

using U = MetricUnit;
using S = MetricSource;
using M = Metric;

constexpr std::array<MetricInfo, 22> kCatalogue{{
    {M::kLatencyP50Seconds, "latency_p50_seconds", U::kSeconds, S::kRequests, 0, 0.50, 0, kInf,
     "Median time from the request reaching the sidecar to the model's full response."},
    {M::kLatencyP90Seconds, "latency_p90_seconds", U::kSeconds, S::kRequests, 0, 0.90, 0, kInf,
     "90th percentile of request latency."},
    {M::kLatencyP99Seconds, "latency_p99_seconds", U::kSeconds, S::kRequests, 0, 0.99, 0, kInf,
     "99th percentile of request latency."},
    {M::kTtftP99Seconds, "ttft_p99_seconds", U::kSeconds, S::kRequests, 0, 0.99, 0, kInf,
     "99th percentile of the time to the first byte of streamed responses (time to first "
     "token); only streamed responses count."},
    {M::kErrorRate, "error_rate", U::kRatio, S::kRequests, 0, 0, 0, 1,
     "Fraction of requests that failed: a 5xx status, or no answer from the model."},
    {M::kRequestsPerSecond, "requests_per_second", U::kPerSecond, S::kRequests, 0, 0, 0, kInf,
     "Requests per second over the window, summed over the monitor's pods."},
    {M::kCpuCores, "cpu_cores", U::kCores, S::kResources, 0, 0, 0, kInf,
     "CPU used by the model container, in cores (the busiest pod)."},
    {M::kMemoryBytes, "memory_bytes", U::kBytes, S::kResources, 0, 0, 0, kInf,
     "Memory used by the model container, in bytes (the busiest pod)."},
    {M::kGpuUtilization, "gpu_utilization", U::kRatio, S::kResources, 0, 0, 0, 1,
     "Fraction of time the pod's GPUs were busy (the busiest pod)."},
    {M::kGpuMemoryBytes, "gpu_memory_bytes", U::kBytes, S::kResources, 0, 0, 0, kInf,
     "GPU memory used by the model, in bytes (the busiest pod)."},
    {M::kAccuracy, "accuracy", U::kRatio, S::kLabels, kClassificationTasks, 0, 0, 1,
     "Fraction of labelled predictions whose class was right."},
    {M::kPrecision, "precision", U::kRatio, S::kLabels, kClassificationTasks, 0, 0, 1,
     "Of the predictions of the positive class, the fraction that were positive (macro average "
     "over classes for multiclass)."},
    {M::kRecall, "recall", U::kRatio, S::kLabels, kClassificationTasks, 0, 0, 1,
     "Of the positive labels, the fraction predicted positive (macro average for multiclass)."},
    {M::kF1, "f1", U::kRatio, S::kLabels, kClassificationTasks, 0, 0, 1,
     "Harmonic mean of precision and recall."},
    {M::kAucRoc, "auc_roc", U::kRatio, S::kLabels, kBinary, 0, 0, 1,
     "Area under the ROC curve of the scores: the chance a positive scores above a negative."},
    {M::kLogLoss, "log_loss", U::kDimensionless, S::kLabels, kBinary, 0, 0, kInf,
     "Mean negative log-likelihood of the labels under the predicted scores."},
    {M::kMae, "mae", U::kLabelUnit, S::kLabels, kRegression, 0, 0, kInf,
     "Mean absolute error, in the label's unit."},
    {M::kRmse, "rmse", U::kLabelUnit, S::kLabels, kRegression, 0, 0, kInf,
     "Root mean squared error, in the label's unit."},
    {M::kMape, "mape", U::kDimensionless, S::kLabels, kRegression, 0, 0, kInf,
     "Mean absolute percentage error as a fraction (0.1 is 10%), as scikit-learn: |error| / "
     "max(|label|, 2.2e-16), so a label of 0 counts, hugely."},
    {M::kR2, "r2", U::kDimensionless, S::kLabels, kRegression, 0, -kInf, 1,
     "Coefficient of determination: 1 is perfect, 0 is no better than the mean, can be "
     "negative."},
    {M::kPredictionPsi, "prediction_psi", U::kDimensionless, S::kPredictions, 0, 0, 0, kInf,
     "Population stability index of the predictions in the window against the reference window "
     "before it: under 0.1 is stable, over 0.25 a large shift."},
    {M::kLabelCoverage, "label_coverage", U::kRatio, S::kLabels, kAllTasks, 0, 0, 1,
     "Fraction of predictions older than the label delay that received their label."},
}};

constexpr bool CatalogueFollowsEnumOrder() {
  for (size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<size_t>(kCatalogue[i].metric) != i) return false;
  }
  return true;
}
static_assert(CatalogueFollowsEnumOrder(), "kCatalogue must list metrics in enum order");

}  // namespace

std::span<const MetricInfo> MetricCatalogue() { return kCatalogue; }

const MetricInfo& Describe(Metric metric) { return kCatalogue[static_cast<size_t>(metric)]; }

std::string_view ToString(Metric metric) { return Describe(metric).name; }

std::optional<Metric> MetricFromName(std::string_view name) {
  for (const MetricInfo& info : kCatalogue) {
    if (info.name == name) return info.metric;
  }
  return std::nullopt;
}

std::string_view ToString(MetricUnit unit) {
  switch (unit) {
    case MetricUnit::kSeconds:
      return "seconds";
    case MetricUnit::kRatio:
      return "ratio (0 to 1)";
    case MetricUnit::kPerSecond:
      return "per second";
    case MetricUnit::kCores:
      return "cores";
    case MetricUnit::kBytes:
      return "bytes";
    case MetricUnit::kLabelUnit:
      return "the label's unit";
    case MetricUnit::kDimensionless:
      return "dimensionless";
  }
  return "?";
}

bool HasConfidenceInterval(Metric metric) {
  switch (metric) {
    case M::kLatencyP50Seconds:
    case M::kLatencyP90Seconds:
    case M::kLatencyP99Seconds:
    case M::kTtftP99Seconds:  // order statistics of the histogram
    case M::kErrorRate:
    case M::kAccuracy:
    case M::kPrecision:
    case M::kRecall:
    case M::kLabelCoverage:  // Wilson score
    case M::kAucRoc:         // Hanley-McNeil
    case M::kMae:            // t interval
    case M::kRmse:           // chi-square
      return true;
    default:
      return false;
  }
}

std::string MetricsWithConfidenceInterval() {
  std::string out;
  for (const MetricInfo& info : kCatalogue) {
    if (!HasConfidenceInterval(info.metric)) continue;
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

std::string MetricsFor(Task task) {
  std::string out;
  for (const MetricInfo& info : kCatalogue) {
    if (info.needs_labels() && info.AppliesTo(task)) {
      if (!out.empty()) out += ", ";
      out += info.name;
    }
  }
  return out;
}

}  // namespace mm::api
