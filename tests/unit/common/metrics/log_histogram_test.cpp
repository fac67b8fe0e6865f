#include "common/metrics/log_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace mm::metrics {
namespace {

// The reference: the value of rank floor(q * (n - 1)) in sorted order.
double ExactQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

void ExpectWithinOnePercent(const LogHistogram& h, const std::vector<double>& values) {
  for (double q : {0.0, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = ExactQuantile(values, q);
    const double estimate = h.Quantile(q);
    EXPECT_LE(std::abs(estimate - exact) / exact, LogHistogram::kRelativeAccuracy + 1e-12)
        << "q=" << q << " exact=" << exact << " estimate=" << estimate;
  }
}

TEST(LogHistogramTest, QuantilesAreWithinOnePercentOfExactOnLatencyLikeData) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(0.02), 1.2);  // ~20 ms median, long tail
  std::vector<double> values;
  LogHistogram h;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(latency(rng));
    h.Record(values.back());
  }
  EXPECT_EQ(h.count(), values.size());
  ExpectWithinOnePercent(h, values);
}

TEST(LogHistogramTest, QuantilesAreWithinOnePercentAcrossNineDecades) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-6, 3);
  std::vector<double> values;
  LogHistogram h;
  for (int i = 0; i < 20000; ++i) {
    values.push_back(std::pow(10.0, exponent(rng)));
    h.Record(values.back());
  }
  ExpectWithinOnePercent(h, values);
}

TEST(LogHistogramTest, MergingIsExactlyRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> d(50);
  LogHistogram a, b, all;
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) {
    const double v = d(rng);
    values.push_back(v);
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.ToJson()["counts"], all.ToJson()["counts"]);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_NEAR(a.sum(), all.sum(), 1e-9 * all.sum());
  ExpectWithinOnePercent(a, values);
}

TEST(LogHistogramTest, ZeroNegativeAndNonFiniteValuesCountInTheZeroBucket) {
  LogHistogram h;
  h.Record(0);
  h.Record(-1);
  h.Record(std::nan(""));
  h.Record(2.0);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_NEAR(h.Quantile(1.0), 2.0, 0.02);
  EXPECT_TRUE(std::isnan(LogHistogram().Quantile(0.5)));
}

TEST(LogHistogramTest, JsonRoundTripsAndRejectsInconsistentCounts) {
  LogHistogram h;
  for (double v : {0.001, 0.002, 0.5, 0.0, 30.0}) h.Record(v);
  auto back = LogHistogram::FromJson(h.ToJson());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->ToJson(), h.ToJson());

  auto bad = h.ToJson();
  bad["count"] = 99;
  auto refused = LogHistogram::FromJson(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("count 99"), std::string::npos);
  bad = h.ToJson();
  bad["offset"] = 5000;
  EXPECT_FALSE(LogHistogram::FromJson(bad).ok());
  EXPECT_FALSE(LogHistogram::FromJson(nlohmann::json::array()).ok());
}

TEST(LogHistogramTest, BucketValueIsWithinOnePercentOfBothBucketEnds) {
  const double gamma = LogHistogram::Gamma();
  for (int i : {-700, -1, 0, 1, 300}) {
    const double lo = std::pow(gamma, i - 1);
    const double hi = std::pow(gamma, i);
    const double v = LogHistogram::ValueOf(i);
    EXPECT_NEAR((v - lo) / lo, 0.01, 1e-9);
    EXPECT_NEAR((hi - v) / hi, 0.01, 1e-9);
    EXPECT_EQ(LogHistogram::IndexOf(v), i);
  }
}

}  // namespace
}  // namespace mm::metrics
