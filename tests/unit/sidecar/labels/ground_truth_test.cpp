#include "sidecar/labels/ground_truth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace mm::sidecar {
namespace {

class GroundTruthTest : public ::testing::Test {
 protected:
  GroundTruthOptions Options() {
    GroundTruthOptions o;
    o.store.path = path_;
    o.store.limits.max_label_delay = 3600 * 1000;
    return o;
  }
  void SetUp() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_ =
      ::testing::TempDir() + "/mm_ground_truth_" + std::to_string(::getpid()) + ".db";
  TimeMs now_ = 1'800'000'000'000;
};

TEST_F(GroundTruthTest, PredictionsLabelsSweepAndRestartEndToEnd) {
  {
    auto gt = GroundTruth::Open(Options(), [this] { return now_; });
    ASSERT_TRUE(gt.ok()) << gt.error().message;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE((*gt)->sink().Offer(
          Prediction{"r" + std::to_string(i), now_, "rev", 0, {i % 2 ? 0.9 : 0.1}}));
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
    EXPECT_DOUBLE_EQ(report.at("accuracy"), 2.0 / 3);
    EXPECT_DOUBLE_EQ(report.at("label_coverage"), 3.0 / 4);
    EXPECT_EQ((*gt)->counters().store.pending, 0);
    EXPECT_EQ((*gt)->Snapshot(0)["format"], "modelmonitor.io/accuracy");
  }
  // A restart brings the joins back into the metrics.
  auto gt = GroundTruth::Open(Options(), [this] { return now_; });
  ASSERT_TRUE(gt.ok());
  const auto report = (*gt)->Report(2 * 3600 * 1000);
  EXPECT_EQ(report.at("labeled_samples"), 3);
  EXPECT_DOUBLE_EQ(report.at("accuracy"), 2.0 / 3);
}

}  // namespace
}  // namespace mm::sidecar
