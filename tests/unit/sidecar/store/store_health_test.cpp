#include "sidecar/store/store_health.h"

#include <gtest/gtest.h>

namespace mm::sidecar {
namespace {

TEST(StoreHealthTest, DegradedFromTheFirstFailureUntilAWriteCommits) {
  StoreHealth health;
  EXPECT_FALSE(health.counts().degraded);
  health.Committed();  // healthy already: nothing changes
  health.Failed(StoreOperation::kPredictions, StoreFailure::kError, "disk I/O error");
  EXPECT_TRUE(health.counts().degraded);
  EXPECT_FALSE(health.counts().full);
  health.Failed(StoreOperation::kLabels, StoreFailure::kFull, "database or disk is full");
  health.Failed(StoreOperation::kLabels, StoreFailure::kFull, "database or disk is full");
  StoreHealth::Counts c = health.counts();
  EXPECT_TRUE(c.degraded);
  EXPECT_TRUE(c.full) << "the last failure decides why";
  EXPECT_EQ(
      c.failures[static_cast<int>(StoreOperation::kLabels)][static_cast<int>(StoreFailure::kFull)],
      2);
  EXPECT_EQ(c.failures[static_cast<int>(StoreOperation::kPredictions)]
                      [static_cast<int>(StoreFailure::kError)],
            1);
  health.Committed();
  c = health.counts();
  EXPECT_FALSE(c.degraded);
  EXPECT_FALSE(c.full);
  EXPECT_EQ(
      c.failures[static_cast<int>(StoreOperation::kLabels)][static_cast<int>(StoreFailure::kFull)],
      2)
      << "counts are totals";
}

TEST(StoreHealthTest, NamesAreTheMetricsLabels) {
  EXPECT_STREQ(StoreHealth::Name(StoreOperation::kPredictions), "predictions");
  EXPECT_STREQ(StoreHealth::Name(StoreOperation::kLabels), "labels");
  EXPECT_STREQ(StoreHealth::Name(StoreOperation::kSweep), "sweep");
  EXPECT_STREQ(StoreHealth::Name(StoreFailure::kFull), "full");
  EXPECT_STREQ(StoreHealth::Name(StoreFailure::kError), "error");
}

}  // namespace
}  // namespace mm::sidecar
