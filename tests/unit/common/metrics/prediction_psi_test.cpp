#include "common/metrics/prediction_psi.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mm::metrics {
namespace {

TEST(PredictionPsiTest, IdenticalDistributionsGiveZero) {
  std::map<int64_t, int64_t> ref;
  for (int64_t bin = 0; bin < 100; ++bin) ref[bin] = 10 + bin;
  std::map<int64_t, int64_t> cur;
  for (const auto& [bin, n] : ref) cur[bin] = 3 * n;
  double psi = -1;
  ASSERT_TRUE(PredictionPsi(ref, cur, &psi));
  EXPECT_NEAR(psi, 0, 1e-12);
}

TEST(PredictionPsiTest, ClassesAreTheirOwnGroups) {
  // Reference 50/50, current 80/20: PSI = 0.3 ln(1.6) + (-0.3) ln(0.4).
  double psi = 0;
  ASSERT_TRUE(PredictionPsi({{0, 50}, {1, 50}}, {{0, 80}, {1, 20}}, &psi));
  EXPECT_NEAR(psi, 0.3 * std::log(1.6) - 0.3 * std::log(0.4), 1e-12);
}

TEST(PredictionPsiTest, DecilesOfTheReferenceAndNewBinsFallIntoTheNearestGroup) {
  std::map<int64_t, int64_t> ref;
  for (int64_t bin = 0; bin < 100; ++bin) ref[bin] = 1;  // uniform: deciles of 10 bins
  // Current: everything in bins 0..9 and below the reference's range -> group 0.
  double psi = 0;
  ASSERT_TRUE(PredictionPsi(ref, {{-5, 50}, {3, 50}}, &psi));
  const double expected = (1 - 0.1) * std::log(1 / 0.1) + 9 * (1e-4 - 0.1) * std::log(1e-4 / 0.1);
  EXPECT_NEAR(psi, expected, 1e-9);
}

TEST(PredictionPsiTest, UndefinedWithoutData) {
  double psi = 0;
  EXPECT_FALSE(PredictionPsi({}, {{1, 1}}, &psi));
  EXPECT_FALSE(PredictionPsi({{1, 1}}, {}, &psi));
}

}  // namespace
}  // namespace mm::metrics
