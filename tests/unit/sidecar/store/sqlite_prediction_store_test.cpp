#include "sidecar/store/sqlite_prediction_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mm::sidecar {
namespace {

constexpr metrics::TimeMs kHour = 3600 * 1000;

std::string FreshPath(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "/mm_store_" + name + "_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::unique_ptr<SqlitePredictionStore> OpenStore(const std::string& path, StoreLimits limits = {}) {
  auto store = SqlitePredictionStore::Open({.path = path, .limits = limits});
  EXPECT_TRUE(store.ok()) << (store ? "" : store.error().message);
  return std::move(store).value();
}

metrics::Prediction P(const std::string& id, metrics::TimeMs t, double value = 1,
                      std::vector<double> scores = {}) {
  return metrics::Prediction{id, t, "rev-1", value, std::move(scores)};
}

std::vector<LabelOutcome> Apply(PredictionStore& store, std::vector<metrics::Label> labels,
                                metrics::TimeMs now) {
  auto r = store.ApplyLabels(labels, now);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->outcomes : std::vector<LabelOutcome>{};
}

TEST(SqlitePredictionStoreTest, JoinsAPendingPredictionOnceAndKeepsItsFields) {
  auto store = OpenStore(FreshPath("join"));
  std::vector<metrics::Prediction> batch = {P("a", 1000, 1, {0.9}), P("b", 2000, 0, {0.2})};
  auto put = store->Put(batch, 2000);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->written, 2);
  EXPECT_EQ(store->Stats().pending, 2);

  auto r = store->ApplyLabels(std::vector<metrics::Label>{{"a", 1}, {"a", 0}}, 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcomes, (std::vector{LabelOutcome::kJoined, LabelOutcome::kDuplicate}));
  ASSERT_EQ(r->joined.size(), 1u);
  const metrics::JoinedLabel& j = r->joined[0];
  EXPECT_EQ(j.prediction.id, "a");
  EXPECT_EQ(j.prediction.time, 1000);
  EXPECT_EQ(j.prediction.model_revision, "rev-1");
  EXPECT_EQ(j.prediction.scores, std::vector<double>{0.9});
  EXPECT_EQ(j.label, 1);  // the first label counts
  EXPECT_EQ(j.joined_at, 5000);
  EXPECT_EQ(Apply(*store, {{"a", 1}}, 6000), std::vector{LabelOutcome::kDuplicate});
  EXPECT_EQ(store->Stats().pending, 1);
  EXPECT_EQ(store->Stats().resolved, 1);
}

TEST(SqlitePredictionStoreTest, RepeatedPredictionIdIsIgnored) {
  auto store = OpenStore(FreshPath("dupid"));
  std::vector<metrics::Prediction> batch = {P("a", 1000), P("a", 1500)};
  auto put = store->Put(batch, 1500);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->written, 1);
  EXPECT_EQ(put->duplicate_ids, 1);
  EXPECT_EQ(put->stored, (std::vector<bool>{true, false}));
}

TEST(SqlitePredictionStoreTest, ExpiryIsCountedExactlyAndLateLabelsAreExpired) {
  StoreLimits limits;
  limits.max_label_delay = kHour;
  auto store = OpenStore(FreshPath("expiry"), limits);
  std::vector<metrics::Prediction> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(P("p" + std::to_string(i), i * 1000));
  ASSERT_TRUE(store->Put(batch, 100 * 1000).ok());
  // Label 10 of them, then let 60s pass beyond the delay of the first 60 predictions.
  std::vector<metrics::Label> labels;
  for (int i = 0; i < 10; ++i) labels.push_back({"p" + std::to_string(i), 1});
  ASSERT_TRUE(store->ApplyLabels(labels, 200 * 1000).ok());
  auto swept = store->Sweep(kHour + 59 * 1000 + 1);  // predictions with time < 59_001 expire
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->expired, 50);  // p10..p59; p0..p9 were labelled
  EXPECT_EQ(store->Stats().pending, 40);
  auto again = store->Sweep(kHour + 59 * 1000 + 1);
  EXPECT_EQ(again->expired, 0);  // counted once
  EXPECT_EQ(Apply(*store, {{"p20", 1}, {"p0", 1}, {"p70", 1}, {"zzz", 1}}, kHour + 60 * 1000),
            (std::vector{LabelOutcome::kExpired, LabelOutcome::kDuplicate, LabelOutcome::kJoined,
                         LabelOutcome::kUnknown}));
}

TEST(SqlitePredictionStoreTest, LabelPastTheDelayExpiresEvenBeforeTheSweep) {
  StoreLimits limits;
  limits.max_label_delay = kHour;
  auto store = OpenStore(FreshPath("lazyexpiry"), limits);
  std::vector<metrics::Prediction> batch = {P("a", 0)};
  ASSERT_TRUE(store->Put(batch, 0).ok());
  auto r = store->ApplyLabels(std::vector<metrics::Label>{{"a", 1}}, kHour + 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcomes, std::vector{LabelOutcome::kExpired});
  EXPECT_EQ(r->expired_now, 1);
  EXPECT_EQ(store->Sweep(kHour + 2)->expired, 0);  // not counted twice
}

TEST(SqlitePredictionStoreTest, EvictionKeepsMaxPendingAndCountsExactly) {
  StoreLimits limits;
  limits.max_pending = 100;
  auto store = OpenStore(FreshPath("evict"), limits);
  int64_t evicted = 0;
  for (int b = 0; b < 7; ++b) {
    std::vector<metrics::Prediction> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(P(std::to_string(b * 30 + i), b * 30 + i));
    auto put = store->Put(batch, 1000);
    ASSERT_TRUE(put.ok());
    evicted += put->evicted;
    EXPECT_LE(store->Stats().pending, 100);
  }
  EXPECT_EQ(evicted, 210 - 100);
  EXPECT_EQ(store->Stats().pending, 100);
  // The oldest went: 0..109 evicted, 110..209 pending.
  EXPECT_EQ(Apply(*store, {{"109", 1}, {"110", 1}}, 2000),
            (std::vector{LabelOutcome::kExpired, LabelOutcome::kJoined}));
  // Tombstones are bounded too: rows never exceed 2 x max_pending.
  EXPECT_LE(store->Stats().pending + store->Stats().resolved, 200);
}

TEST(SqlitePredictionStoreTest, NewLimitsApplyAtTheNextPutAndSweep) {
  auto store = OpenStore(FreshPath("setlimits"));  // 1,000,000 pending, 24 h delay
  std::vector<metrics::Prediction> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(P("p" + std::to_string(i), i * 1000));
  ASSERT_TRUE(store->Put(batch, 10 * 1000).ok());
  StoreLimits limits;
  limits.max_pending = 5;
  limits.max_label_delay = kHour;
  store->SetLimits(limits);  // a config reload
  std::vector<metrics::Prediction> one = {P("p10", 10 * 1000)};
  auto put = store->Put(one, 10 * 1000);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->evicted, 6) << "the lower maxPending evicts the oldest at the next Put";
  auto swept = store->Sweep(kHour + 8 * 1000 + 1);  // p6, p7 and p8 are older than the delay
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->expired, 3) << "the shorter maxLabelDelay expires at the next Sweep";
  EXPECT_EQ(store->Stats().pending, 2);
}

TEST(SqlitePredictionStoreTest, EarlyLabelJoinsWhenItsPredictionArrives) {
  auto store = OpenStore(FreshPath("early"));
  EXPECT_EQ(Apply(*store, {{"late-pred", 1}}, 1000), std::vector{LabelOutcome::kUnknown});
  EXPECT_EQ(store->Stats().early_labels, 1);
  // Repeating an early label keeps it unknown (not duplicate): every sidecar of a
  // monitor sees every label, and only the one holding the prediction may count it.
  EXPECT_EQ(Apply(*store, {{"late-pred", 1}}, 1500), std::vector{LabelOutcome::kUnknown});
  std::vector<metrics::Prediction> batch = {P("late-pred", 900, 1, {0.8})};
  auto put = store->Put(batch, 2000);
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->early.size(), 1u);
  EXPECT_EQ(put->early[0].label, 1);
  EXPECT_EQ(put->early[0].joined_at, 2000);
  EXPECT_EQ(store->Stats().early_labels, 0);
  EXPECT_EQ(store->Stats().pending, 0);
  EXPECT_EQ(Apply(*store, {{"late-pred", 1}}, 3000), std::vector{LabelOutcome::kDuplicate});
}

TEST(SqlitePredictionStoreTest, EarlyLabelsAreBoundedAndDroppedAfterTheGrace) {
  StoreLimits limits;
  limits.max_early_labels = 5;
  limits.early_label_grace = 10 * 1000;
  auto store = OpenStore(FreshPath("earlybound"), limits);
  std::vector<metrics::Label> labels;
  for (int i = 0; i < 8; ++i) labels.push_back({"e" + std::to_string(i), 0});
  ASSERT_TRUE(store->ApplyLabels(labels, 1000).ok());
  EXPECT_EQ(store->Stats().early_labels, 5);
  EXPECT_EQ(store->early_labels_dropped_by_bound(), 3);
  auto swept = store->Sweep(1000 + 10 * 1000 + 1);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->early_labels_dropped, 5);
  EXPECT_EQ(store->Stats().early_labels, 0);
}

TEST(SqlitePredictionStoreTest, EverythingSurvivesReopening) {
  const std::string path = FreshPath("reopen");
  {
    auto store = OpenStore(path);
    std::vector<metrics::Prediction> batch = {P("a", 1000, 2, {0.1, 0.2, 0.7}), P("b", 1000),
                                              P("c", 1000)};
    ASSERT_TRUE(store->Put(batch, 1000).ok());
    ASSERT_TRUE(store->ApplyLabels(std::vector<metrics::Label>{{"a", 2}, {"x", 1}}, 2000).ok());
  }
  auto store = OpenStore(path);
  EXPECT_EQ(store->Stats().pending, 2);
  EXPECT_EQ(store->Stats().resolved, 1);
  EXPECT_EQ(store->Stats().early_labels, 1);
  std::vector<metrics::JoinedLabel> joined;
  ASSERT_TRUE(
      store->ForEachJoined(0, [&](const metrics::JoinedLabel& j) { joined.push_back(j); }).ok());
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].prediction.id, "a");
  EXPECT_EQ(joined[0].prediction.scores, (std::vector<double>{0.1, 0.2, 0.7}));
  EXPECT_EQ(joined[0].label, 2);
  EXPECT_EQ(joined[0].joined_at, 2000);
  EXPECT_EQ(Apply(*store, {{"a", 2}, {"b", 0}}, 3000),
            (std::vector{LabelOutcome::kDuplicate, LabelOutcome::kJoined}));
}

TEST(SqlitePredictionStoreTest, RefusesAnUnknownSynchronousMode) {
  auto store = SqlitePredictionStore::Open({.path = FreshPath("sync"), .synchronous = "OFF"});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("use NORMAL or FULL"), std::string::npos);
}

}  // namespace
}  // namespace mm::sidecar
