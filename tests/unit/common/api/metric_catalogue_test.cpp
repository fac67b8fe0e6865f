#include "common/api/metric_catalogue.h"

#include <gtest/gtest.h>

#include <set>

namespace mm::api {
namespace {

TEST(MetricCatalogue, HasEveryMetricOfTheDesignOnceWithItsFacts) {
  const std::vector<std::string> design = {"latency_p50_seconds",
                                           "latency_p90_seconds",
                                           "latency_p99_seconds",
                                           "ttft_p99_seconds",
                                           "error_rate",
                                           "requests_per_second",
                                           "cpu_cores",
                                           "memory_bytes",
                                           "gpu_utilization",
                                           "gpu_memory_bytes",
                                           "accuracy",
                                           "precision",
                                           "recall",
                                           "f1",
                                           "auc_roc",
                                           "log_loss",
                                           "mae",
                                           "rmse",
                                           "mape",
                                           "r2",
                                           "prediction_psi",
                                           "label_coverage"};
  ASSERT_EQ(MetricCatalogue().size(), design.size());
  for (size_t i = 0; i < design.size(); ++i) {
    EXPECT_EQ(MetricCatalogue()[i].name, design[i]);
    auto m = MetricFromName(design[i]);
    ASSERT_TRUE(m.has_value()) << design[i];
    EXPECT_EQ(ToString(*m), design[i]);
    EXPECT_FALSE(Describe(*m).description.empty());
  }
  EXPECT_FALSE(MetricFromName("p99").has_value());
}

TEST(MetricCatalogue, UnitsTasksAndRangesFollowTheMetric) {
  const MetricInfo& p99 = Describe(Metric::kLatencyP99Seconds);
  EXPECT_EQ(p99.unit, MetricUnit::kSeconds);
  EXPECT_DOUBLE_EQ(p99.quantile, 0.99);
  EXPECT_FALSE(p99.needs_labels());

  const MetricInfo& auc = Describe(Metric::kAucRoc);
  EXPECT_TRUE(auc.needs_labels());
  EXPECT_TRUE(auc.AppliesTo(Task::kBinaryClassification));
  EXPECT_FALSE(auc.AppliesTo(Task::kMulticlassClassification));
  EXPECT_FALSE(auc.AppliesTo(Task::kRegression));

  EXPECT_TRUE(Describe(Metric::kRmse).AppliesTo(Task::kRegression));
  EXPECT_FALSE(Describe(Metric::kRmse).AppliesTo(Task::kBinaryClassification));
  EXPECT_TRUE(Describe(Metric::kLabelCoverage).AppliesTo(Task::kRegression));
  EXPECT_FALSE(Describe(Metric::kPredictionPsi).needs_labels());

  for (const MetricInfo& m : MetricCatalogue()) {
    if (m.unit == MetricUnit::kRatio) {
      EXPECT_EQ(m.min_threshold, 0) << m.name;
      EXPECT_EQ(m.max_threshold, 1) << m.name;
    }
    EXPECT_EQ(m.needs_labels(), m.tasks != 0) << m.name;
  }
  EXPECT_LT(Describe(Metric::kR2).min_threshold, 0);
  EXPECT_EQ(MetricsFor(Task::kRegression), "mae, rmse, mape, r2, label_coverage");
  EXPECT_EQ(MetricsFor(Task::kMulticlassClassification),
            "accuracy, precision, recall, f1, label_coverage");
}

}  // namespace
}  // namespace mm::api
