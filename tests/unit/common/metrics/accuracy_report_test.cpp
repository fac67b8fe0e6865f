#include "common/metrics/accuracy_report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mm::metrics {
namespace {

JoinedLabel J(double label, double value, std::vector<double> scores = {}, TimeMs delay_ms = 0) {
  return JoinedLabel{Prediction{"id", 0, "r", value, std::move(scores)}, label, delay_ms};
}

TEST(AccuracyReportTest, BinaryFromScoresWithThreshold) {
  AccuracyConfig config;  // binary, positive 1, threshold 0.5
  AccuracyBucket b;
  // label, score: TP 0.9, TP 0.6, FN 0.4, FP 0.7, TN 0.2, TN 0.1
  for (auto [label, score] :
       {std::pair{1, 0.9}, {1, 0.6}, {1, 0.4}, {0, 0.7}, {0, 0.2}, {0, 0.1}}) {
    b.AddJoined(J(label, 0, {score}), config);
  }
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("accuracy"), 4.0 / 6);
  EXPECT_DOUBLE_EQ(r.at("precision"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.at("recall"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.at("f1"), 2.0 / 3);
  // Pairs (pos, neg): 9; 0.6 and 0.4 each lose to 0.7: AUC = 7/9, no shared bins.
  EXPECT_DOUBLE_EQ(r.at("auc_roc"), 7.0 / 9);
  EXPECT_DOUBLE_EQ(r.at("auc_roc_error_bound"), 0);
  const double ll = -(std::log(0.9) + std::log(0.6) + std::log(0.4) + std::log(0.3) +
                      std::log(0.8) + std::log(0.9)) /
                    6;
  EXPECT_NEAR(r.at("log_loss"), ll, 1e-12);
}

TEST(AccuracyReportTest, BinaryPositiveClassAndNoScores) {
  AccuracyConfig config;
  config.positive_class = 0;
  AccuracyBucket b;
  b.AddJoined(J(0, 0), config);  // TP (0 is positive)
  b.AddJoined(J(1, 0), config);  // FP
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("precision"), 0.5);
  EXPECT_DOUBLE_EQ(r.at("recall"), 1);
  EXPECT_EQ(r.count("auc_roc"), 0u);   // no scores
  EXPECT_EQ(r.count("log_loss"), 0u);  // no scores
}

TEST(AccuracyReportTest, MulticlassMacroAndMicro) {
  AccuracyConfig config;
  config.task = api::Task::kMulticlassClassification;
  AccuracyBucket b;
  // (label, predicted): (0,0) (0,1) (1,1) (2,2) (2,2) (2,0)
  for (auto [l, p] : {std::pair{0, 0}, {0, 1}, {1, 1}, {2, 2}, {2, 2}, {2, 0}}) {
    b.AddJoined(J(l, p), config);
  }
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("accuracy"), 4.0 / 6);
  // Precision: c0 1/2, c1 1/2, c2 2/2; recall: c0 1/2, c1 1/1, c2 2/3.
  EXPECT_DOUBLE_EQ(r.at("precision_macro"), (0.5 + 0.5 + 1) / 3);
  EXPECT_DOUBLE_EQ(r.at("recall_macro"), (0.5 + 1 + 2.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(r.at("f1_macro"), (0.5 + 2.0 / 3 + 0.8) / 3);
  EXPECT_DOUBLE_EQ(r.at("f1_micro"), 4.0 / 6);
  EXPECT_DOUBLE_EQ(r.at("f1"), r.at("f1_macro"));
}

TEST(AccuracyReportTest, RegressionFromSums) {
  AccuracyConfig config;
  config.task = api::Task::kRegression;
  AccuracyBucket b;
  // (label, prediction): errors -1, 2, 0, -1
  for (auto [y, p] : {std::pair{1.0, 2.0}, {4.0, 2.0}, {5.0, 5.0}, {10.0, 11.0}}) {
    b.AddJoined(J(y, p), config);
  }
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("mae"), 1.0);
  EXPECT_DOUBLE_EQ(r.at("rmse"), std::sqrt(6.0 / 4));
  EXPECT_DOUBLE_EQ(r.at("mape"), (1.0 / 1 + 2.0 / 4 + 0 + 1.0 / 10) / 4);
  // mean 5, SST = 16 + 1 + 0 + 25 = 42
  EXPECT_DOUBLE_EQ(r.at("r2"), 1 - 6.0 / 42);
}

TEST(AccuracyReportTest, CoverageAndLabelDelay) {
  AccuracyConfig config;
  AccuracyBucket b;
  b.AddJoined(J(1, 1, {}, 2 * 1000), config);   // 2 s: bucket (1, 5]
  b.AddJoined(J(1, 1, {}, 40 * 1000), config);  // 40 s: bucket (30, 60]
  b.expired = 1;
  b.evicted = 1;
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("label_coverage"), 0.5);
  EXPECT_DOUBLE_EQ(r.at("label_delay_mean_seconds"), 21);
  EXPECT_DOUBLE_EQ(r.at("label_delay_p50_seconds"), 5);  // rank 1 = top of (1, 5]
  EXPECT_GT(r.at("label_delay_p90_seconds"), 30);
  EXPECT_LE(r.at("label_delay_p90_seconds"), 60);
}

TEST(AccuracyReportTest, UndefinedMetricsAreAbsent) {
  const auto r = ComputeAccuracy(AccuracyBucket{}, AccuracyConfig{});
  EXPECT_EQ(r.count("accuracy"), 0u);
  EXPECT_EQ(r.count("label_coverage"), 0u);
  EXPECT_EQ(r.at("samples"), 0);
}

}  // namespace
}  // namespace mm::metrics

namespace mm::metrics {
namespace {

TEST(AccuracyReportTest, UnmeasurablePredictionsAreCountedButLeftOut) {
  AccuracyConfig config;
  AccuracyBucket b;
  b.AddJoined(J(1, 1, {0.9}), config);
  b.AddJoined(J(1, 1, {std::nan("")}), config);
  b.AddJoined(J(0, 0, {0.2, 0.3}), config);  // binary takes one score
  config.task = api::Task::kRegression;
  b.AddJoined(J(1, INFINITY), config);
  const auto r = ComputeAccuracy(b, AccuracyConfig{});
  EXPECT_EQ(r.at("labeled_samples"), 4);
  EXPECT_EQ(r.at("labeled_unmeasurable"), 3);
  EXPECT_EQ(r.at("accuracy"), 1);
  EXPECT_TRUE(std::isfinite(r.at("log_loss")));
  EXPECT_EQ(b.regression.count, 0);
}

}  // namespace
}  // namespace mm::metrics

namespace mm::metrics {
namespace {

// At 0.1 % prevalence most windows of a few hundred labels hold no positive: recall
// is then undefined, not 0, or a "recall < 0.8" alert rolls back a healthy model.
TEST(AccuracyReportTest, RecallWithNoPositiveLabelIsAbsent) {
  AccuracyConfig config;
  AccuracyBucket b;
  for (int i = 0; i < 500; ++i) b.AddJoined(J(0, 0), config);  // all negatives, all right
  b.AddJoined(J(0, 1), config);                                // one false positive
  const auto r = ComputeAccuracy(b, config);
  EXPECT_EQ(r.count("recall"), 0u);
  EXPECT_DOUBLE_EQ(r.at("precision"), 0);  // 0 of 1 predicted positive: defined, and 0
  EXPECT_EQ(r.count("f1"), 0u);            // needs recall
  EXPECT_EQ(r.count("auc_roc"), 0u);       // one class (no scores here either)
  EXPECT_DOUBLE_EQ(r.at("accuracy"), 500.0 / 501);
}

TEST(AccuracyReportTest, PrecisionWithNoPredictedPositiveIsAbsent) {
  AccuracyConfig config;
  AccuracyBucket b;
  b.AddJoined(J(1, 0, {0.2}), config);  // a positive, predicted negative
  b.AddJoined(J(0, 0, {0.1}), config);
  const auto r = ComputeAccuracy(b, config);
  EXPECT_EQ(r.count("precision"), 0u);
  EXPECT_DOUBLE_EQ(r.at("recall"), 0);
  EXPECT_EQ(r.count("f1"), 0u);          // needs precision
  EXPECT_DOUBLE_EQ(r.at("auc_roc"), 1);  // both classes: defined
}

TEST(AccuracyReportTest, AucWithOneClassIsAbsent) {
  AccuracyConfig config;
  AccuracyBucket b;
  b.AddJoined(J(1, 1, {0.9}), config);
  b.AddJoined(J(1, 0, {0.3}), config);
  const auto r = ComputeAccuracy(b, config);
  EXPECT_EQ(r.count("auc_roc"), 0u);
  EXPECT_DOUBLE_EQ(r.at("recall"), 0.5);
}

// Macro averages leave out classes where the per-class value is undefined
// (scikit-learn's zero_division=np.nan): expectations from
//   precision_score([0,0,1,1,2], [0,1,1,1,1], average="macro", zero_division=np.nan) = 0.75
//   recall_score(..., zero_division=np.nan) = (1/2 + 1 + 0) / 3 = 0.5
// (scikit-learn 1.5.2). Class 2 is never predicted: its precision is undefined and
// left out. f1_score gives 0.444 there, counting class 2's F1 as 0; here F1 needs
// both precision and recall (docs/accuracy.md), so it is the mean over classes 0, 1.
TEST(AccuracyReportTest, MacroAveragesSkipUndefinedClasses) {
  AccuracyConfig config;
  config.task = api::Task::kMulticlassClassification;
  AccuracyBucket b;
  for (auto [l, p] : {std::pair{0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 1}})
    b.AddJoined(J(l, p), config);
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("precision_macro"), (1 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(r.at("recall_macro"), (0.5 + 1 + 0) / 3);
  // F1 per class where both are defined: c0 2/3, c1 2*2/(4+2+0) = 2/3.
  EXPECT_DOUBLE_EQ(r.at("f1_macro"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.at("precision"), r.at("precision_macro"));
}

// label_delay_mean_seconds is the mean over the joins whose delay was measured:
// an unmeasurable prediction (NaN score) is joined but has no delay recorded.
TEST(AccuracyReportTest, LabelDelayMeanDividesByMeasuredJoins) {
  AccuracyConfig config;
  AccuracyBucket b;
  b.AddJoined(J(1, 1, {0.9}, 10 * 1000), config);
  b.AddJoined(J(1, 1, {0.8}, 30 * 1000), config);
  b.AddJoined(J(1, 1, {std::nan("")}, 1000 * 1000), config);  // joined, unmeasurable
  const auto r = ComputeAccuracy(b, config);
  EXPECT_EQ(r.at("labeled_samples"), 3);
  EXPECT_DOUBLE_EQ(r.at("label_delay_mean_seconds"), 20);
}

// MAPE as scikit-learn's mean_absolute_percentage_error: |y - ŷ| / max(|y|, eps)
// with eps = np.finfo(np.float64).eps, so a zero label counts (hugely), not skipped:
//   mean_absolute_percentage_error([0, 2], [1, 1]) = (1 / 2.220446049250313e-16 + 0.5) / 2
//                                                  = 2251799813685248.0 (scikit-learn 1.5.2)
TEST(AccuracyReportTest, MapeCountsZeroLabelsAsScikitLearnDoes) {
  AccuracyConfig config;
  config.task = api::Task::kRegression;
  AccuracyBucket b;
  b.AddJoined(J(0, 1), config);
  b.AddJoined(J(2, 1), config);
  const auto r = ComputeAccuracy(b, config);
  EXPECT_DOUBLE_EQ(r.at("mape"), 2251799813685248.0);
}

}  // namespace
}  // namespace mm::metrics

#include "sidecar/proxy/prediction_conversion.h"

namespace mm::metrics {
namespace {

// positiveClass 0 with predict_proba rows [p0, p1]: every metric is of class 0.
// Expectations from scikit-learn 1.5.2 (the venv's), computed once with:
//   y = [0, 0, 1, 1, 0, 1]; p1 = np.array([0.2, 0.4, 0.7, 0.45, 0.6, 0.9]); p0 = 1 - p1
//   pred = np.where(p0 >= 0.5, 0, 1)
//   precision_score(y, pred, pos_label=0), recall_score(...), f1_score(...),
//   accuracy_score(y, pred), roc_auc_score(np.array(y) == 0, p0),
//   log_loss(y, np.c_[p0, p1])
TEST(AccuracyReportTest, PositiveClassZeroReadsTheScoreRowAsPOfClassZero) {
  AccuracyConfig config;
  config.positive_class = 0;
  AccuracyBucket b;
  for (auto [label, p1] : {std::pair{0, 0.2}, {0, 0.4}, {1, 0.7}, {1, 0.45}, {0, 0.6}, {1, 0.9}}) {
    sidecar::InstanceOutput row;
    row.row = true;
    row.numbers = {1 - p1, p1};
    const auto p = sidecar::ToStorePrediction(row);
    ASSERT_TRUE(p.has_value());
    b.AddJoined(JoinedLabel{Prediction{"id", 0, "r", p->value, p->scores}, double(label), 0},
                config);
  }
  const auto r = ComputeAccuracy(b, config);
  EXPECT_NEAR(r.at("precision"), 0.6666666666666666, 1e-12);
  EXPECT_NEAR(r.at("recall"), 0.6666666666666666, 1e-12);
  EXPECT_NEAR(r.at("f1"), 0.6666666666666666, 1e-12);
  EXPECT_NEAR(r.at("accuracy"), 0.6666666666666666, 1e-12);
  EXPECT_NEAR(r.at("auc_roc"), 0.888888888888889, 1e-12);
  EXPECT_NEAR(r.at("log_loss"), 0.485133843794781, 1e-12);
}

}  // namespace
}  // namespace mm::metrics
