#include "sidecar/metrics/accuracy_windows.h"

#include <gtest/gtest.h>

#include <random>

#include "common/metrics/accuracy_snapshot.h"

namespace mm::sidecar {
namespace {

constexpr metrics::TimeMs kMinute = 60 * 1000;

// Feeds `n` seeded random rows (prediction, join) to a set of windows: row i goes
// to windows[i % windows.size()].
void Feed(api::Task task, int n, std::vector<AccuracyWindows*> windows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < n; ++i) {
    AccuracyWindows& w = *windows[static_cast<size_t>(i) % windows.size()];
    const metrics::TimeMs t = i * 1000;
    metrics::Prediction p{"p" + std::to_string(i), t, "r", 0, {}};
    double label;
    if (task == api::Task::kRegression) {
      label = 100 + 50 * u(rng);
      p.value = label + 10 * (u(rng) - 0.5);
    } else if (task == api::Task::kBinaryClassification) {
      label = u(rng) < 0.4 ? 1 : 0;
      p.scores = {std::clamp(0.3 * label + 0.7 * u(rng), 0.0, 1.0)};
    } else {
      label = static_cast<int>(u(rng) * 4);
      p.scores = {u(rng), u(rng), u(rng), u(rng)};
      double sum = 0;
      for (double s : p.scores) sum += s;
      for (double& s : p.scores) s /= sum;
    }
    std::vector<metrics::Prediction> one = {p};
    w.RecordWritten(one, PutResult{.written = 1, .stored = {true}}, t);
    std::vector<metrics::JoinedLabel> joined = {metrics::JoinedLabel{p, label, t + 30 * 1000}};
    w.RecordJoins(joined);
  }
}

class AccuracySnapshotTest : public ::testing::TestWithParam<api::Task> {};

TEST_P(AccuracySnapshotTest, MergingPodsEqualsOnePodSeeingEverything) {
  metrics::AccuracyConfig config;
  config.task = GetParam();
  AccuracyWindows one(config), pod_a(config), pod_b(config), pod_c(config);
  Feed(config.task, 2000, {&one}, 42);
  Feed(config.task, 2000, {&pod_a, &pod_b, &pod_c}, 42);
  // Through JSON, as the operator receives them.
  metrics::AccuracySnapshot merged =
      metrics::AccuracySnapshotFromJson(ToJson(pod_a.Snapshot(0))).value();
  ASSERT_TRUE(
      merged.Merge(metrics::AccuracySnapshotFromJson(ToJson(pod_b.Snapshot(0))).value()).ok());
  ASSERT_TRUE(
      merged.Merge(metrics::AccuracySnapshotFromJson(ToJson(pod_c.Snapshot(0))).value()).ok());
  const metrics::AccuracySnapshot single = one.Snapshot(0);
  ASSERT_EQ(merged.buckets.size(), single.buckets.size());
  for (metrics::TimeMs from : {metrics::TimeMs{0}, 5 * kMinute, 20 * kMinute}) {
    const auto want = single.Report(from, from + 10 * kMinute).All();
    const auto got = merged.Report(from, from + 10 * kMinute).All();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const char* name = want[i].name;
      ASSERT_EQ(got[i].value.has_value(), want[i].value.has_value()) << name;
      if (!want[i].value) continue;
      const double value = *want[i].value;
      EXPECT_NEAR(*got[i].value, value, 1e-9 * std::max(1.0, std::fabs(value))) << name;
    }
  }
}

TEST_P(AccuracySnapshotTest, JsonRoundTripIsExact) {
  metrics::AccuracyConfig config;
  config.task = GetParam();
  AccuracyWindows w(config);
  Feed(config.task, 500, {&w}, 7);
  const nlohmann::json first = ToJson(w.Snapshot(0));
  auto back = metrics::AccuracySnapshotFromJson(nlohmann::json::parse(first.dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(ToJson(back.value()), first);
}

INSTANTIATE_TEST_SUITE_P(Tasks, AccuracySnapshotTest,
                         ::testing::Values(api::Task::kBinaryClassification,
                                           api::Task::kMulticlassClassification,
                                           api::Task::kRegression));

TEST(AccuracySnapshotMergeTest, RefusesADifferentConfiguration) {
  metrics::AccuracyConfig a, b;
  b.threshold = 0.7;
  metrics::AccuracySnapshot x{.config = a}, y{.config = b};
  EXPECT_FALSE(x.Merge(y).ok());
}

TEST(AccuracySnapshotJsonTest, MalformedSnapshotsNameTheField) {
  AccuracyWindows w(metrics::AccuracyConfig{});
  nlohmann::json j = ToJson(w.Snapshot(0));
  j["version"] = 2;
  EXPECT_NE(metrics::AccuracySnapshotFromJson(j).error().message.find("version 2"),
            std::string::npos);
  j = ToJson(w.Snapshot(0));
  j["buckets"] = {{{"start", "soon"}}};
  EXPECT_NE(metrics::AccuracySnapshotFromJson(j).error().message.find("buckets[0].start"),
            std::string::npos);
  j["version"] = "1";
  EXPECT_FALSE(metrics::AccuracySnapshotFromJson(j).ok());
  EXPECT_FALSE(metrics::AccuracySnapshotFromJson(nlohmann::json::array()).ok());
}

TEST(AccuracyWindowsTest, BucketsAlignToTheEpochAndAreDroppedAfterRetention) {
  metrics::AccuracyConfig config;
  config.retention_ms = 10 * kMinute;
  AccuracyWindows w(config);
  w.RecordExpired(1, 61 * 1000);
  w.RecordExpired(1, 119 * 1000);
  EXPECT_EQ(w.Snapshot(0).buckets.size(), 1u);
  EXPECT_EQ(w.Snapshot(0).buckets.begin()->first, kMinute);
  w.RecordExpired(1, 30 * kMinute);
  EXPECT_EQ(w.Snapshot(0).buckets.size(), 1u);  // the first is past retention
  w.RecordExpired(1, 2 * kMinute);              // late: dropped, not recreated
  EXPECT_EQ(w.Snapshot(0).buckets.size(), 1u);
  EXPECT_EQ(w.Snapshot(31 * kMinute).buckets.size(), 0u);
}

TEST(AccuracyWindowsTest, ReferenceIsTheFirstReferenceWindowOfTraffic) {
  metrics::AccuracyConfig config;
  config.reference_ms = 10 * 1000;
  AccuracyWindows w(config);
  std::vector<metrics::Prediction> batch = {{"a", 1000, "r", 0, {0.15}},
                                            {"b", 5000, "r", 0, {0.25}},
                                            {"c", 12000, "r", 0, {0.95}},
                                            {"a", 13000, "r", 0, {0.95}}};
  w.RecordWritten(batch, PutResult{.written = 3, .stored = {true, true, true, false}}, 13000);
  const metrics::AccuracySnapshot s = w.Snapshot(0);
  EXPECT_EQ(s.reference_from, 1000);
  EXPECT_EQ(s.reference_bins, (std::map<int64_t, int64_t>{{15, 1}, {25, 1}}));
  EXPECT_EQ(s.Window(0, INT64_MAX).recorded, 3);  // the repeated id is not counted
}

}  // namespace
}  // namespace mm::sidecar
