#include "sidecar/labels/label_joiner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sidecar/store/sqlite_prediction_store.h"

namespace mm::sidecar {
namespace {

class LabelJoinerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = ::testing::TempDir() + "/mm_joiner_" + std::to_string(::getpid()) +
                             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    StoreLimits limits;
    limits.max_label_delay = 3600 * 1000;
    auto opened = SqlitePredictionStore::Open({.path = path, .limits = limits});
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    joiner_ = std::make_unique<LabelJoiner>(
        store_.get(), &metrics_, [this] { ++drains_; }, [this] { return now_; }, LabelLimits{});
  }

  std::unique_ptr<SqlitePredictionStore> store_;
  AccuracyWindows metrics_{metrics::AccuracyConfig{}};
  metrics::TimeMs now_ = 10 * 1000;
  int drains_ = 0;
  std::unique_ptr<LabelJoiner> joiner_;
};

TEST_F(LabelJoinerTest, AnswersEveryOutcomeAndFeedsTheMetrics) {
  std::vector<metrics::Prediction> batch = {
      {"a", 1000, "r", 1, {0.9}}, {"b", 2000, "r", 0, {0.3}}, {"old", 0, "r", 0, {0.1}}};
  ASSERT_TRUE(store_->Put(batch, 2000).ok());
  metrics_.RecordWritten(batch, PutResult{.written = 3, .stored = {true, true, true}}, 2000);
  now_ = 3600 * 1000 + 1;  // "old" is past maxLabelDelay
  bool refused = true;
  auto answer = joiner_->JoinBody(
      R"({"labels":[{"id":"a","label":1},{"id":"b","label":1},{"id":"a","label":0},
                    {"id":"old","label":0},{"id":"nobody","label":1},{"id":"c","label":"x"}]})",
      "application/json", &refused);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_FALSE(refused);
  EXPECT_EQ(drains_, 1);
  EXPECT_EQ(
      answer->ToJson().dump(),
      R"({"duplicate":1,"errors":[{"index":5,"reason":"labels[5].label: \"x\" is not a number"}],)"
      R"("expired":1,"invalid":1,"joined":2,"received":6,"unknown":1})");
  const metrics::AccuracySnapshot snap = metrics_.Snapshot(0);
  const metrics::AccuracyBucket all = snap.Window(0, INT64_MAX);
  EXPECT_EQ(all.recorded, 3);
  EXPECT_EQ(all.joined, 2);
  EXPECT_EQ(all.expired, 1);
  EXPECT_EQ(all.labels_unknown, 1);
  EXPECT_EQ(all.labels_duplicate, 1);
  EXPECT_EQ(all.labels_invalid, 1);
  const auto report = metrics::ComputeAccuracy(all, snap.config);
  EXPECT_DOUBLE_EQ(report.accuracy.value(), 0.5);  // a: 1 vs 1; b: 0 (0.3) vs 1
  EXPECT_DOUBLE_EQ(report.label_coverage.value(), 2.0 / 3.0);
}

TEST_F(LabelJoinerTest, ARefusedBatchAppliesNothing) {
  std::vector<metrics::Prediction> batch = {{"a", 1000, "r", 1, {}}};
  ASSERT_TRUE(store_->Put(batch, 1000).ok());
  bool refused = false;
  auto answer =
      joiner_->JoinBody(R"({"labels":{"id":"a","label":1}})", "application/json", &refused);
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(refused);
  EXPECT_EQ(store_->Stats().pending, 1);
}

TEST_F(LabelJoinerTest, NdjsonByContentType) {
  std::vector<metrics::Prediction> batch = {{"a", 1000, "r", 1, {}}, {"b", 1000, "r", 1, {}}};
  ASSERT_TRUE(store_->Put(batch, 1000).ok());
  bool refused = false;
  auto answer = joiner_->JoinBody("{\"id\":\"a\",\"label\":1}\n{\"id\":\"b\",\"label\":0}\n",
                                  "application/x-ndjson", &refused);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->joined, 2);
}

TEST(LabelAnswerTest, RoundTripsAndSums) {
  LabelAnswer a{.received = 3,
                .joined = 1,
                .unknown = 1,
                .invalid = 1,
                .errors = {{2, "labels[2].id: missing"}}};
  auto back = LabelAnswer::FromJson(a.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), a.ToJson());
  back->Add(a);
  EXPECT_EQ(back->received, 6);
  EXPECT_EQ(back->errors.size(), 2u);
  EXPECT_FALSE(LabelAnswer::FromJson(nlohmann::json{{"received", "3"}}).ok());
}

}  // namespace
}  // namespace mm::sidecar
