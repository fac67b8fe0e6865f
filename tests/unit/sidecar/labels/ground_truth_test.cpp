#include "sidecar/labels/ground_truth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

namespace mm::sidecar {
namespace {

class GroundTruthTest : public ::testing::Test {
 protected:
  GroundTruthOptions Options() {
    GroundTruthOptions o;
    o.store.path = path_;
    o.store.limits.max_label_delay = 3600 * 1000;
    o.store.limits.max_early_labels = 100000;  // every label of a test may come early
    return o;
  }
  void SetUp() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_ =
      ::testing::TempDir() + "/mm_ground_truth_" + std::to_string(::getpid()) + ".db";
  // Read by the store's writer thread (the clock) while a test moves it.
  std::atomic<metrics::TimeMs> now_ = 1'800'000'000'000;
};

TEST_F(GroundTruthTest, PredictionsLabelsSweepAndRestartEndToEnd) {
  {
    auto gt = GroundTruth::Open(Options(), [this] { return now_.load(); });
    ASSERT_TRUE(gt.ok()) << gt.error().message;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE((*gt)->sink().Offer(metrics::Prediction{
          "r" + std::to_string(i), now_.load(), "rev", 0, {i % 2 ? 0.9 : 0.1}}));
    }
    now_ += 60 * 1000;
    auto answer = (*gt)->PostLabels(R"({"labels":[{"id":"r0","label":0},{"id":"r1","label":1},
                                                  {"id":"r2","label":1}]})",
                                    "application/json");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body["joined"], 3);
    EXPECT_EQ((*gt)->PostLabels("{", "application/json").status, 400);
    now_ += 3600 * 1000;  // r3 expires
    ASSERT_TRUE((*gt)->Sweep().ok());
    const auto report = (*gt)->Report(2 * 3600 * 1000);
    EXPECT_DOUBLE_EQ(report.accuracy.value(), 2.0 / 3);
    EXPECT_DOUBLE_EQ(report.label_coverage.value(), 3.0 / 4);
    EXPECT_EQ((*gt)->counters().store.pending, 0);
    EXPECT_EQ((*gt)->counters().predictions.expired, 1);
    EXPECT_EQ((*gt)->Snapshot(0)["format"], "modelmonitor.io/accuracy");
  }
  // A restart brings the joins back into the metrics.
  auto gt = GroundTruth::Open(Options(), [this] { return now_.load(); });
  ASSERT_TRUE(gt.ok());
  const auto report = (*gt)->Report(2 * 3600 * 1000);
  EXPECT_EQ(report.labeled_samples, 3);
  EXPECT_DOUBLE_EQ(report.accuracy.value(), 2.0 / 3);
}

TEST_F(GroundTruthTest, ALabelBeforeItsPredictionJoinsWhenThePredictionComes) {
  auto gt = GroundTruth::Open(Options(), [this] { return now_.load(); });
  ASSERT_TRUE(gt.ok());
  auto answer = (*gt)->PostLabels(R"({"id":"early","label":1})", "application/x-ndjson");
  EXPECT_EQ(answer.body["unknown"], 1);
  EXPECT_EQ((*gt)->counters().store.early_labels, 1);
  ASSERT_TRUE((*gt)->sink().Offer(metrics::Prediction{"early", now_ - 10, "rev", 1, {0.8}}));
  // The next label request drains the queue; the early label has joined by then.
  EXPECT_EQ((*gt)->PostLabels("", "application/x-ndjson").status, 200);
  const auto report = (*gt)->Report(3600 * 1000);
  EXPECT_EQ(report.labeled_samples, 1);
  EXPECT_EQ(report.accuracy.value(), 1);
  EXPECT_EQ((*gt)->counters().store.early_labels, 0);
}

TEST_F(GroundTruthTest, PredictionsPushedOutByMaxPendingAreCountedSinceTheStart) {
  GroundTruthOptions options = Options();
  options.store.limits.max_pending = 2;
  auto gt = GroundTruth::Open(options, [this] { return now_.load(); });
  ASSERT_TRUE(gt.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*gt)->sink().Offer(
        metrics::Prediction{"p" + std::to_string(i), now_ + i, "rev", 0, {0.5}}));
  }
  EXPECT_EQ((*gt)->PostLabels("", "application/x-ndjson").status, 200);  // drains the queue
  const auto c = (*gt)->counters();
  EXPECT_EQ(c.store.pending, 2);
  EXPECT_EQ(c.predictions.evicted, 3);
  EXPECT_EQ(c.predictions.expired, 0);
  // The window's count and the running total agree while the window covers it all.
  EXPECT_EQ((*gt)->Report(3600 * 1000).evicted, 3);
}

TEST_F(GroundTruthTest, ConcurrentOffersAndLabelUploadsLoseNothing) {
  auto gt = GroundTruth::Open(Options(), [this] { return now_.load(); });
  ASSERT_TRUE(gt.ok());
  constexpr int kThreads = 4, kEach = 3000;
  std::atomic<int> offered{0};
  std::vector<std::thread> proxies;
  for (int t = 0; t < kThreads; ++t) {
    proxies.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if ((*gt)->sink().Offer(
                metrics::Prediction{std::to_string(t * kEach + i), now_.load(), "rev", 1, {0.7}})) {
          offered.fetch_add(1);
        }
      }
    });
  }
  // Meanwhile labels are uploaded for every id, in batches, while the proxies run:
  // a label may come before its prediction (held, joined later) or after it.
  int64_t joined = 0, unknown = 0;
  for (int start = 0; start < kThreads * kEach; start += 500) {
    std::string body;
    for (int i = start; i < start + 500; ++i) {
      body += R"({"id":")" + std::to_string(i) + R"(","label":1})" + "\n";
    }
    auto answer = (*gt)->PostLabels(body, "application/x-ndjson");
    ASSERT_EQ(answer.status, 200);
    joined += answer.body["joined"].get<int64_t>();
    unknown += answer.body["unknown"].get<int64_t>();
  }
  for (auto& p : proxies) p.join();
  ASSERT_EQ((*gt)->PostLabels("", "application/x-ndjson").status, 200);  // drains the queue
  EXPECT_EQ(offered.load(), kThreads * kEach - (*gt)->counters().predictions.dropped);
  EXPECT_EQ(joined + unknown, kThreads * kEach);
  // Every label joined: at once, or when its prediction came after it.
  EXPECT_EQ((*gt)->Report(3600 * 1000).labeled_samples, offered.load());
  EXPECT_EQ((*gt)->counters().store.pending, 0);
}

}  // namespace
}  // namespace mm::sidecar
