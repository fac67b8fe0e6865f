#include "common/metrics/score_histogram.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace mm::metrics {
namespace {

double ExactAuc(const std::vector<double>& pos, const std::vector<double>& neg) {
  double wins = 0;
  for (double p : pos) {
    for (double n : neg) wins += p > n ? 1 : (p == n ? 0.5 : 0);
  }
  return wins / (static_cast<double>(pos.size()) * static_cast<double>(neg.size()));
}

TEST(ScoreHistogramTest, BinnedAucIsWithinItsStatedBound) {
  std::mt19937 rng(7);
  std::normal_distribution<double> pos_dist(0.6, 0.15), neg_dist(0.45, 0.15);
  std::vector<double> pos, neg;
  ScoreHistogram h;
  for (int i = 0; i < 3000; ++i) {
    // Rounded to 1e-5 so that many pairs share a bin and the bound is exercised.
    const double p = std::round(std::clamp(pos_dist(rng), 0.0, 1.0) * 1e5) / 1e5;
    const double n = std::round(std::clamp(neg_dist(rng), 0.0, 1.0) * 1e5) / 1e5;
    pos.push_back(p);
    neg.push_back(n);
    h.Add(p, true);
    h.Add(n, false);
  }
  ScoreHistogram::Auc auc;
  ASSERT_TRUE(h.ComputeAuc(&auc));
  const double exact = ExactAuc(pos, neg);
  EXPECT_LE(std::fabs(auc.value - exact), auc.error_bound);
  EXPECT_GT(auc.error_bound, 0);
  EXPECT_LT(auc.error_bound, 1e-3);
}

TEST(ScoreHistogramTest, MergeEqualsAddingEverything) {
  ScoreHistogram a, b, all;
  for (int i = 0; i < 100; ++i) {
    const double s = i / 100.0;
    (i % 2 ? a : b).Add(s, i % 3 == 0);
    all.Add(s, i % 3 == 0);
  }
  a.Merge(b);
  ScoreHistogram::Auc x, y;
  ASSERT_TRUE(a.ComputeAuc(&x));
  ASSERT_TRUE(all.ComputeAuc(&y));
  EXPECT_EQ(x.value, y.value);
  EXPECT_EQ(a.bins().size(), all.bins().size());
}

TEST(ScoreHistogramTest, NeedsBothClassesAndClampsScores) {
  ScoreHistogram h;
  h.Add(2.0, true);
  ScoreHistogram::Auc auc;
  EXPECT_FALSE(h.ComputeAuc(&auc));
  h.Add(-1.0, false);
  ASSERT_TRUE(h.ComputeAuc(&auc));
  EXPECT_EQ(auc.value, 1);
  EXPECT_EQ(ScoreHistogram::BinOf(1.0), ScoreHistogram::kBins - 1);
}

}  // namespace
}  // namespace mm::metrics
