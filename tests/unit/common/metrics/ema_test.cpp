#include "common/metrics/ema.h"

#include <gtest/gtest.h>

namespace mm::metrics {
namespace {

TEST(EmaTest, FollowsTheCrdFormula) {
  Ema ema(0.8);
  EXPECT_EQ(ema.Update(10), 10);  // y[0] = x[0]
  EXPECT_DOUBLE_EQ(ema.Update(20), 0.8 * 10 + 0.2 * 20);
  EXPECT_DOUBLE_EQ(ema.Update(20), 0.8 * 12 + 0.2 * 20);
  ema.Reset();
  EXPECT_FALSE(ema.value().has_value());
}

}  // namespace
}  // namespace mm::metrics
