// Merging pods' snapshots into monitor-wide windows and computing each metric.
#include "operator/alerts/monitor_window.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using namespace std::chrono_literals;
using api::Metric;

constexpr int64_t kNow = 1'800'000'095;  // bucket 1'800'000'090 is the current one

metrics::BucketStats Bucket(int64_t start, int ok, int errors, double latency) {
  metrics::BucketStats b;
  b.start_unix = start;
  for (int i = 0; i < ok + errors; ++i) {
    metrics::RequestObservation o;
    o.time = std::chrono::system_clock::time_point(std::chrono::seconds(start));
    o.status = i < ok ? 200 : 503;
    o.latency_seconds = latency;
    b.Add(o);
  }
  return b;
}

PodSnapshot Pod(const std::string& name, std::vector<metrics::BucketStats> buckets,
                nlohmann::json resources = nlohmann::json::object()) {
  PodSnapshot p;
  p.pod = name;
  p.requests.bucket_seconds = 10;
  p.requests.buckets = std::move(buckets);
  p.requests.resources = metrics::ResourceReading::FromJson(resources).value();
  return p;
}

TEST(MonitorWindowTest, RequestMetricsAddUpAcrossPodsWithinTheWindow) {
  Collection c;
  // Outside a 30 s window: the bucket at kNow-100.
  c.snapshots.push_back(
      Pod("a", {Bucket(1'800'000'000, 50, 0, 5.0), Bucket(1'800'000'070, 90, 10, 0.1)}));
  c.snapshots.push_back(
      Pod("b", {Bucket(1'800'000'080, 100, 0, 0.3), Bucket(1'800'000'090, 100, 0, 0.3)}));
  MonitorWindow w = MonitorWindow::Merge(c);
  EXPECT_EQ(w.pods(), 2);
  EXPECT_TRUE(c.failed.empty());

  Measurement errors = w.Measure(Metric::kErrorRate, 30s, kNow);
  EXPECT_EQ(errors.samples, 300);
  EXPECT_NEAR(*errors.value, 10.0 / 300, 1e-12);

  Measurement rps = w.Measure(Metric::kRequestsPerSecond, 30s, kNow);
  EXPECT_NEAR(*rps.value, 300.0 / 30, 1e-12);

  Measurement p50 = w.Measure(Metric::kLatencyP50Seconds, 30s, kNow);
  EXPECT_NEAR(*p50.value, 0.3, 0.3 * 0.011);
  Measurement p99 = w.Measure(Metric::kLatencyP99Seconds, 2min, kNow);
  EXPECT_EQ(p99.samples, 350);
  EXPECT_NEAR(*p99.value, 5.0, 5.0 * 0.011) << "the old slow bucket is inside 2 minutes";

  Measurement ttft = w.Measure(Metric::kTtftP99Seconds, 30s, kNow);
  EXPECT_FALSE(ttft.value);
  EXPECT_EQ(ttft.why, "no streamed response in the window");
}

TEST(MonitorWindowTest, NoTrafficAndNoPodsGiveNoValue) {
  Collection none;
  MonitorWindow empty = MonitorWindow::Merge(none);
  Measurement m = empty.Measure(Metric::kLatencyP99Seconds, 5min, kNow);
  EXPECT_FALSE(m.value);
  EXPECT_EQ(m.why, "no pod answered");

  Collection quiet;
  quiet.snapshots.push_back(Pod("a", {}));
  MonitorWindow w = MonitorWindow::Merge(quiet);
  m = w.Measure(Metric::kErrorRate, 5min, kNow);
  EXPECT_FALSE(m.value);
  EXPECT_EQ(m.samples, 0);
  EXPECT_EQ(m.why, "no request in the window");
  m = w.Measure(Metric::kAccuracy, 5min, kNow);
  EXPECT_FALSE(m.value);
  EXPECT_NE(m.why.find("groundTruth"), std::string::npos);
}

TEST(MonitorWindowTest, ResourcesAreTheBusiestPods) {
  Collection c;
  c.snapshots.push_back(Pod(
      "a", {},
      {{"cpuCores", 0.5},
       {"workingSetBytes", 100},
       {"gpus",
        {{{"index", 0}, {"utilization", 0.2}, {"memoryUsedBytes", 10}, {"memoryTotalBytes", 80}},
         {{"index", 1},
          {"utilization", 0.4},
          {"memoryUsedBytes", 20},
          {"memoryTotalBytes", 80}}}}}));
  c.snapshots.push_back(Pod("b", {}, {{"cpuCores", 1.5}, {"residentMemoryBytes", 300}}));
  MonitorWindow w = MonitorWindow::Merge(c);
  EXPECT_DOUBLE_EQ(*w.Measure(Metric::kCpuCores, 5min, kNow).value, 1.5);
  EXPECT_EQ(w.Measure(Metric::kCpuCores, 5min, kNow).samples, 2);
  EXPECT_DOUBLE_EQ(*w.Measure(Metric::kMemoryBytes, 5min, kNow).value, 300);
  EXPECT_NEAR(*w.Measure(Metric::kGpuUtilization, 5min, kNow).value, 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(*w.Measure(Metric::kGpuMemoryBytes, 5min, kNow).value, 30);
}

TEST(MonitorWindowTest, PodsWithAnotherBucketWidthAreReportedNotMerged) {
  Collection c;
  c.snapshots.push_back(Pod("a", {Bucket(1'800'000'090, 10, 0, 0.1)}));
  PodSnapshot odd = Pod("b", {Bucket(1'800'000'040, 10, 0, 0.1)});
  odd.requests.bucket_seconds = 60;
  c.snapshots.push_back(odd);
  MonitorWindow w = MonitorWindow::Merge(c);
  EXPECT_EQ(w.pods(), 1);
  ASSERT_EQ(c.failed.size(), 1u);
  EXPECT_EQ(c.failed[0].pod, "b");
  EXPECT_EQ(w.Measure(Metric::kErrorRate, 5min, kNow).samples, 10);
}

TEST(MonitorWindowTest, AccuracyMergesConfusionCountsOfAllPods) {
  auto pod = [](const std::string& name, int64_t tp, int64_t fn) {
    PodSnapshot p = Pod(name, {});
    metrics::AccuracySnapshot a;
    metrics::AccuracyBucket b;
    b.joined = tp + fn;
    b.recorded = tp + fn;
    b.confusion[{1, 1}] = tp;
    b.confusion[{1, 0}] = fn;
    a.buckets[(kNow - 35) * 1000] = b;  // a 60 s bucket overlapping a 30 s window
    p.accuracy = a;
    return p;
  };
  Collection c;
  c.snapshots.push_back(pod("a", 90, 10));
  c.snapshots.push_back(pod("b", 30, 70));
  MonitorWindow w = MonitorWindow::Merge(c);
  Measurement acc = w.Measure(Metric::kAccuracy, 30s, kNow);
  ASSERT_TRUE(acc.value) << acc.why;
  EXPECT_NEAR(*acc.value, 120.0 / 200, 1e-12);
  EXPECT_EQ(acc.samples, 200);
  Measurement recall = w.Measure(Metric::kRecall, 30s, kNow);
  EXPECT_NEAR(*recall.value, 0.6, 1e-12);
}

// For resources a sample is a reading over the window (the buckets count them),
// not a pod: a 2-replica model sampled every 5 s has 120 readings in 5 minutes.
TEST(MonitorWindowTest, ResourceSamplesAreReadingsOverTheWindowNotPods) {
  const auto readings = [](int64_t start, uint64_t n) {
    metrics::BucketStats b;
    b.start_unix = start;
    b.resource_readings = n;
    return b;
  };
  std::vector<metrics::BucketStats> history;
  for (int64_t t = kNow - 295; t <= kNow; t += 10) history.push_back(readings(t / 10 * 10, 2));
  Collection c;
  c.snapshots.push_back(Pod("a", history, {{"cpuCores", 0.5}}));
  c.snapshots.push_back(Pod("b", history, {{"cpuCores", 1.5}}));
  c.snapshots.push_back(Pod("old", {readings(kNow - 900, 2)}, {{"cpuCores", 0.1}}));
  MonitorWindow w = MonitorWindow::Merge(c);
  const Measurement cpu = w.Measure(Metric::kCpuCores, 5min, kNow);
  EXPECT_DOUBLE_EQ(*cpu.value, 1.5);
  EXPECT_EQ(cpu.samples, 2 * 30 * 2) << "30 buckets of 10 s, 2 readings each, 2 pods";
}

// Binary label metrics count what their uncertainty depends on, and carry the
// counts their confidence bounds need.
TEST(MonitorWindowTest, LabelSamplesArePositivesPredictedPositivesAndDueLabels) {
  PodSnapshot p = Pod("a", {});
  metrics::AccuracySnapshot a;
  metrics::AccuracyBucket b;
  b.confusion[{1, 1}] = 8;  // TP
  b.confusion[{1, 0}] = 2;  // FN
  b.confusion[{0, 1}] = 5;  // FP
  b.confusion[{0, 0}] = 85;
  b.joined = 100;
  b.expired = 300;  // labels stopped for most predictions
  a.buckets[(kNow - 35) * 1000] = b;
  p.accuracy = a;
  Collection c;
  c.snapshots.push_back(p);
  MonitorWindow w = MonitorWindow::Merge(c);
  const Measurement recall = w.Measure(Metric::kRecall, 30s, kNow);
  EXPECT_EQ(recall.samples, 10);
  EXPECT_EQ(recall.evidence.kind, Evidence::Kind::kProportion);
  EXPECT_EQ(recall.evidence.successes, 8);
  EXPECT_EQ(recall.evidence.count, 10);
  const Measurement precision = w.Measure(Metric::kPrecision, 30s, kNow);
  EXPECT_EQ(precision.samples, 13);
  EXPECT_EQ(precision.evidence.count, 13);
  EXPECT_EQ(w.Measure(Metric::kF1, 30s, kNow).samples, 15);
  EXPECT_EQ(w.Measure(Metric::kAccuracy, 30s, kNow).samples, 100);
  const Measurement coverage = w.Measure(Metric::kLabelCoverage, 30s, kNow);
  EXPECT_EQ(coverage.samples, 400) << "predictions due a label, not labels";
  EXPECT_DOUBLE_EQ(*coverage.value, 0.25);
  EXPECT_EQ(coverage.evidence.successes, 100);
}

// Labels stopped entirely: coverage is 0 over the predictions that were due one,
// with those as samples, so the alert can fire (with joined labels as samples it
// had 0 samples and stayed Inconclusive).
TEST(MonitorWindowTest, CoverageIsMeasuredWhenLabelsStopEntirely) {
  PodSnapshot p = Pod("a", {});
  metrics::AccuracySnapshot a;
  metrics::AccuracyBucket b;
  b.expired = 250;
  a.buckets[(kNow - 35) * 1000] = b;
  p.accuracy = a;
  Collection c;
  c.snapshots.push_back(p);
  const Measurement coverage = MonitorWindow::Merge(c).Measure(Metric::kLabelCoverage, 30s, kNow);
  ASSERT_TRUE(coverage.value) << coverage.why;
  EXPECT_DOUBLE_EQ(*coverage.value, 0);
  EXPECT_EQ(coverage.samples, 250);
}

// Latency quantiles carry the merged histogram for their order-statistic bounds.
TEST(MonitorWindowTest, LatencyCarriesTheHistogramForItsBounds) {
  Collection c;
  c.snapshots.push_back(Pod("a", {Bucket(1'800'000'090, 100, 0, 0.3)}));
  const Measurement p99 = MonitorWindow::Merge(c).Measure(Metric::kLatencyP99Seconds, 30s, kNow);
  EXPECT_EQ(p99.evidence.kind, Evidence::Kind::kQuantile);
  ASSERT_TRUE(p99.evidence.histogram);
  EXPECT_EQ(p99.evidence.histogram->count(), 100u);
  EXPECT_DOUBLE_EQ(p99.evidence.quantile, 0.99);
}

}  // namespace
}  // namespace mm::op
