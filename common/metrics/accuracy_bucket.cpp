#include "common/metrics/accuracy_bucket.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace mm::metrics {

void RegressionSums::Add(double prediction, double label) {
  const double error = label - prediction;
  ++count;
  abs_error_sum += std::fabs(error);
  squared_error_sum += error * error;
  abs_percent_error_sum += std::fabs(error) / std::max(std::fabs(label), DBL_EPSILON);
  const double delta = label - label_mean;
  label_mean += delta / static_cast<double>(count);
  label_m2 += delta * (label - label_mean);
}

void RegressionSums::Merge(const RegressionSums& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(count);
  const double nb = static_cast<double>(other.count);
  const double n = na + nb;
  const double delta = other.label_mean - label_mean;
  label_mean += delta * nb / n;
  label_m2 += other.label_m2 + delta * delta * na * nb / n;
  count += other.count;
  abs_error_sum += other.abs_error_sum;
  squared_error_sum += other.squared_error_sum;
  abs_percent_error_sum += other.abs_percent_error_sum;
}

bool IsMeasurable(const Prediction& p, const AccuracyConfig& config) {
  if (!std::isfinite(p.value)) return false;
  for (double s : p.scores) {
    if (!std::isfinite(s)) return false;
  }
  switch (config.task) {
    case api::Task::kRegression:
      return true;
    case api::Task::kBinaryClassification:
      return p.scores.size() <= 1 && (!p.scores.empty() || std::fabs(p.value) < kMaxClasses);
    case api::Task::kMulticlassClassification:
      if (!p.scores.empty()) return p.scores.size() <= static_cast<size_t>(kMaxClasses);
      return p.value >= 0 && p.value < kMaxClasses && p.value == std::floor(p.value);
  }
  return false;
}

double PositiveScore(const Prediction& p, const AccuracyConfig& config) {
  return config.positive_class == 0 ? 1 - p.scores[0] : p.scores[0];
}

int PredictedClass(const Prediction& p, const AccuracyConfig& config) {
  if (config.task == api::Task::kBinaryClassification) {
    if (!p.scores.empty()) return PositiveScore(p, config) >= config.threshold ? 1 : 0;
    return static_cast<int>(p.value) == config.positive_class ? 1 : 0;
  }
  if (!p.scores.empty()) {
    return static_cast<int>(std::max_element(p.scores.begin(), p.scores.end()) - p.scores.begin());
  }
  return static_cast<int>(p.value);
}

int64_t PredictionBin(const Prediction& p, const AccuracyConfig& config) {
  switch (config.task) {
    case api::Task::kBinaryClassification:
      if (p.scores.empty()) return 1000 + PredictedClass(p, config);
      return std::clamp<int64_t>(static_cast<int64_t>(std::floor(PositiveScore(p, config) * 100)),
                                 0, 99);
    case api::Task::kMulticlassClassification:
      return PredictedClass(p, config);
    case api::Task::kRegression:
      return static_cast<int64_t>(std::floor(16 * std::asinh(p.value)));
  }
  return 0;
}

void AccuracyBucket::AddRecorded(const Prediction& p, const AccuracyConfig& config) {
  ++recorded;
  if (IsMeasurable(p, config)) ++prediction_bins[PredictionBin(p, config)];
}

void AccuracyBucket::AddJoined(const JoinedLabel& j, const AccuracyConfig& config) {
  ++joined;
  const Prediction& p = j.prediction;
  if (!IsMeasurable(p, config)) {
    ++joined_unmeasurable;
    return;
  }
  const double delay = std::max<double>(0, static_cast<double>(j.joined_at - p.time) / 1000.0);
  const auto bound =
      std::lower_bound(kLabelDelayBoundsSeconds.begin(), kLabelDelayBoundsSeconds.end(), delay);
  ++label_delay_counts[static_cast<size_t>(bound - kLabelDelayBoundsSeconds.begin())];
  label_delay_sum_seconds += delay;

  if (config.task == api::Task::kRegression) {
    regression.Add(p.value, j.label);
    return;
  }
  const int label = config.task == api::Task::kBinaryClassification
                        ? (static_cast<int>(j.label) == config.positive_class ? 1 : 0)
                        : static_cast<int>(j.label);
  ++confusion[{label, PredictedClass(p, config)}];
  if (p.scores.empty()) return;
  // scikit-learn's log_loss clips probabilities to [eps, 1 - eps].
  double p_true;
  if (config.task == api::Task::kBinaryClassification) {
    const double positive = PositiveScore(p, config);
    p_true = label == 1 ? positive : 1 - positive;
    scores[1].Add(positive, label == 1);
  } else {
    p_true =
        static_cast<size_t>(label) < p.scores.size() ? p.scores[static_cast<size_t>(label)] : 0;
    for (size_t k = 0; k < p.scores.size(); ++k) {
      scores[static_cast<int>(k)].Add(p.scores[k], static_cast<int>(k) == label);
    }
  }
  log_loss_sum -= std::log(std::clamp(p_true, DBL_EPSILON, 1 - DBL_EPSILON));
  ++log_loss_count;
}

void AccuracyBucket::Merge(const AccuracyBucket& o) {
  recorded += o.recorded;
  joined += o.joined;
  expired += o.expired;
  evicted += o.evicted;
  joined_unmeasurable += o.joined_unmeasurable;
  labels_unknown += o.labels_unknown;
  labels_duplicate += o.labels_duplicate;
  labels_invalid += o.labels_invalid;
  for (const auto& [key, n] : o.confusion) confusion[key] += n;
  log_loss_sum += o.log_loss_sum;
  log_loss_count += o.log_loss_count;
  for (const auto& [k, h] : o.scores) scores[k].Merge(h);
  regression.Merge(o.regression);
  for (size_t i = 0; i < label_delay_counts.size(); ++i) {
    label_delay_counts[i] += o.label_delay_counts[i];
  }
  label_delay_sum_seconds += o.label_delay_sum_seconds;
  for (const auto& [bin, n] : o.prediction_bins) prediction_bins[bin] += n;
}

}  // namespace mm::metrics
