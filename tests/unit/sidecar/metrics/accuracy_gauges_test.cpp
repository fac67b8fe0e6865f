#include "sidecar/metrics/accuracy_gauges.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>

namespace mm::sidecar {
namespace {

std::string Exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(AccuracyGaugesTest, ExposesEachMetricWithItsWindowAndNaNWhenUndefined) {
  prometheus::Registry registry;
  AccuracyGauges gauges(registry, "5m");
  metrics::AccuracyReport report;
  report.accuracy = 0.75;
  report.label_coverage = 0.5;
  gauges.Update(report, {.dropped = 3, .evicted = 7}, 42);
  std::string text = Exposition(registry);
  EXPECT_NE(text.find("modelmonitor_accuracy{window=\"5m\"} 0.75"), std::string::npos) << text;
  EXPECT_NE(text.find("modelmonitor_label_coverage{window=\"5m\"} 0.5"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_auc_roc{window=\"5m\"} Nan"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_predictions_dropped_total 3"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_predictions_evicted_total 7"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_predictions_expired_total 0"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_predictions_pending 42"), std::string::npos);
  // Totals move the counters by the difference.
  gauges.Update({}, {.dropped = 5, .evicted = 9, .expired = 2}, 0);
  text = Exposition(registry);
  EXPECT_NE(text.find("modelmonitor_predictions_dropped_total 5"), std::string::npos) << text;
  EXPECT_NE(text.find("modelmonitor_predictions_evicted_total 9"), std::string::npos);
  EXPECT_NE(text.find("modelmonitor_predictions_expired_total 2"), std::string::npos);
}

TEST(AccuracyGaugesTest, ExposesTheStoresHealth) {
  prometheus::Registry registry;
  AccuracyGauges gauges(registry, "5m");
  StoreHealth health;
  health.Failed(StoreOperation::kLabels, StoreFailure::kFull, "database or disk is full");
  health.Failed(StoreOperation::kLabels, StoreFailure::kFull, "database or disk is full");
  health.Failed(StoreOperation::kPredictions, StoreFailure::kError, "disk I/O error");
  gauges.Update({}, {}, 0, health.counts());
  std::string text = Exposition(registry);
  EXPECT_NE(text.find("modelmonitor_store_degraded 1"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(modelmonitor_store_errors_total{operation="labels",reason="full"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(modelmonitor_store_errors_total{operation="predictions",reason="error"} 1)"),
      std::string::npos);
  EXPECT_NE(text.find(R"(modelmonitor_store_errors_total{operation="sweep",reason="full"} 0)"),
            std::string::npos);
  health.Committed();
  gauges.Update({}, {}, 0, health.counts());
  text = Exposition(registry);
  EXPECT_NE(text.find("modelmonitor_store_degraded 0"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(modelmonitor_store_errors_total{operation="labels",reason="full"} 2)"),
            std::string::npos)
      << "a counter never goes back";
}

}  // namespace
}  // namespace mm::sidecar
