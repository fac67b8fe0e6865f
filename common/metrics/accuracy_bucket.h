#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <utility>

#include "common/metrics/accuracy_config.h"
#include "common/metrics/prediction.h"
#include "common/metrics/score_histogram.h"

namespace mm::metrics {

// Label delays (join time - prediction time) in fixed buckets, seconds, upper bounds
// inclusive; the last bucket is +Inf.
inline constexpr std::array<double, 15> kLabelDelayBoundsSeconds = {
    1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800};

// Sums that regression metrics come from. The label's mean and sum of squared
// deviations are kept Welford-style and merged with Chan's formula, so R² stays
// exact to rounding even when the labels are large and close together.
struct RegressionSums {
  int64_t count = 0;
  double abs_error_sum = 0;
  double squared_error_sum = 0;
  double abs_percent_error_sum = 0;  // |y - ŷ| / max(|y|, DBL_EPSILON), as scikit-learn
  double label_mean = 0;
  double label_m2 = 0;  // Σ (y - mean)²

  void Add(double prediction, double label);
  void Merge(const RegressionSums& other);
};

// Everything the accuracy metrics of one time bucket are computed from. Every
// field is a count or a sum, so two buckets (two pods, or two minutes) merge by
// adding: the merged metrics are exactly those of the union of their rows, up to
// floating-point rounding of the sums.
struct AccuracyBucket {
  // Fates of predictions. recorded: by prediction time; joined, expired,
  // evicted: by the time they happened.
  int64_t recorded = 0;
  int64_t joined = 0;
  int64_t expired = 0;
  int64_t evicted = 0;
  // Joined, but the prediction cannot be measured (a NaN or infinite value or
  // score, more than kMaxClasses scores, a class outside 0..kMaxClasses-1): counted
  // in `joined`, left out of every quality metric.
  int64_t joined_unmeasurable = 0;
  // Labels that did not join, by arrival time.
  int64_t labels_unknown = 0;
  int64_t labels_duplicate = 0;
  int64_t labels_invalid = 0;

  // Classification. Binary rows are indexed 0 = negative, 1 = positive.
  std::map<std::pair<int, int>, int64_t> confusion;  // (label, predicted) -> count
  double log_loss_sum = 0;                           // Σ -log(clip(p of the true class))
  int64_t log_loss_count = 0;                        // joined rows that had scores
  std::map<int, ScoreHistogram> scores;  // class -> its score vs. the rest (binary: class 1)

  RegressionSums regression;

  std::array<int64_t, kLabelDelayBoundsSeconds.size() + 1> label_delay_counts{};
  double label_delay_sum_seconds = 0;

  // Recorded predictions in fixed bins (see PredictionBin), for prediction_psi.
  std::map<int64_t, int64_t> prediction_bins;

  void AddJoined(const JoinedLabel& joined, const AccuracyConfig& config);
  void AddRecorded(const Prediction& prediction, const AccuracyConfig& config);
  void Merge(const AccuracyBucket& other);
};

// Whether a prediction can enter the quality metrics (see joined_unmeasurable).
bool IsMeasurable(const Prediction& prediction, const AccuracyConfig& config);

// Binary: the probability of the positive class. A stored score is P(class 1)
// (a [p0, p1] row keeps p1, a single score is taken as P(class 1), as
// predict_proba[:, 1] and a sigmoid output are), so with positiveClass 0 it is
// 1 - score. Needs a score.
double PositiveScore(const Prediction& prediction, const AccuracyConfig& config);

// The class a classifier predicted: from its scores when it has them (binary:
// PositiveScore >= threshold; multiclass: the first highest), else its value.
// Binary answers 0 (negative) or 1 (positive).
int PredictedClass(const Prediction& prediction, const AccuracyConfig& config);

// The fixed bin a prediction falls in for prediction_psi: binary, the score in 100
// bins of 0.01 (or the class, 1000 + class, without a score); multiclass, the
// predicted class; regression, floor(16·asinh(value)) (about 6% wide, symmetric).
int64_t PredictionBin(const Prediction& prediction, const AccuracyConfig& config);

}  // namespace mm::metrics
