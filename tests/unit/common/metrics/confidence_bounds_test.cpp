// The confidence bounds of alert metrics against SciPy. The expected numbers were
// computed once with the venv's SciPy 1.17.1 (~/.cache/modelmonitor/venv) by this
// script (the t, chi-square and binomial values also agree to 1e-9 relative with
// the closed forms for integer degrees of freedom and exact binomial sums):
//
//   import numpy as np
//   from scipy import stats
//   from scipy.stats import binomtest
//   r = lambda x: repr(float(x))
//   print([r(stats.norm.ppf(p)) for p in (1e-10, 0.001, 0.05, 0.3, 0.8, 0.95, 0.975, 0.999)])
//   print([r(stats.binom.cdf(k, n, p)) for k, n, p in
//          ((3, 10, 0.5), (980, 1000, 0.99), (40, 100, 0.35), (49_000, 1_000_000, 0.05))])
//   print([r(stats.t.ppf(p, df)) for p, df in ((0.95, 1), (0.95, 5), (0.99, 30), (0.95, 1000))])
//   print([r(stats.chi2.ppf(p, df)) for p, df in
//          ((0.95, 1), (0.05, 1), (0.95, 10), (0.05, 10), (0.95, 100000), (0.05, 100000))])
//   # Wilson, one-sided 95% = the ends of the two-sided 90% interval:
//   for k, n in ((85, 100), (0, 10), (10, 10), (7, 12), (4_250, 5_000)):
//       ci = binomtest(k, n).proportion_ci(confidence_level=0.90, method="wilson")
//       print(k, n, r(ci.low), r(ci.high))
//   # Order statistics: the 0-based ranks bounding the q-quantile at 95%.
//   for n, q in ((100, 0.99), (1000, 0.99), (20, 0.5), (10_000, 0.9)):
//       cdf = stats.binom.cdf(np.arange(n + 1), n, q)
//       below = np.nonzero(cdf <= 0.05)[0]
//       print(n, q, int(below[-1]) if len(below) else -1, int(np.argmax(cdf >= 0.95)))
//   # MAE (t) for n=10, sum|e|=12, sum e^2=20; RMSE (chi-square) for n=10, sum e^2=20:
//   n, s1, s2 = 10, 12.0, 20.0
//   m, s, t = s1 / n, np.sqrt((s2 - s1 * s1 / n) / (n - 1)), stats.t.ppf(0.95, n - 1)
//   print(r(m - t * s / np.sqrt(n)), r(m + t * s / np.sqrt(n)))
//   print(r(np.sqrt(20 / stats.chi2.ppf(0.95, 10))), r(np.sqrt(20 / stats.chi2.ppf(0.05, 10))))
//   # Hanley-McNeil for A=0.8, P=50, N=100:
//   A, P, N = 0.8, 50, 100
//   q1, q2 = A / (2 - A), 2 * A * A / (1 + A)
//   se = np.sqrt((A * (1 - A) + (P - 1) * (q1 - A * A) + (N - 1) * (q2 - A * A)) / (P * N))
//   print(r(A - stats.norm.ppf(0.95) * se), r(A + stats.norm.ppf(0.95) * se))
#include "common/metrics/confidence_bounds.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mm::metrics {
namespace {

// Relative agreement (absolute below 1e-300, i.e. for 0): SciPy's special
// functions and these are each accurate to ~1e-13; the iterated ones (t,
// chi-square, binomial) are compared at 1e-10.
void ExpectNear(double got, double want, double rel = 1e-12) {
  EXPECT_NEAR(got, want, rel * std::max(1e-300, std::fabs(want))) << "want " << want;
}

TEST(ConfidenceBoundsTest, NormalQuantileIsScipys) {
  const double p[] = {1e-10, 0.001, 0.05, 0.3, 0.8, 0.95, 0.975, 0.999};
  const double want[] = {-6.361340902404056,  -3.090232306167813, -1.6448536269514729,
                         -0.5244005127080409, 0.8416212335729143, 1.6448536269514722,
                         1.959963984540054,   3.090232306167813};
  for (size_t i = 0; i < std::size(p); ++i) ExpectNear(NormalQuantile(p[i]), want[i], 1e-14);
  EXPECT_EQ(NormalQuantile(0.5), 0);
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
}

TEST(ConfidenceBoundsTest, BinomialCdfIsScipys) {
  ExpectNear(BinomialCdf(3, 10, 0.5), 0.171875, 1e-10);
  ExpectNear(BinomialCdf(980, 1000, 0.99), 0.003288359787727489, 1e-10);
  ExpectNear(BinomialCdf(40, 100, 0.35), 0.87497720012894, 1e-10);
  ExpectNear(BinomialCdf(49'000, 1'000'000, 0.05), 2.1131824147902706e-06, 1e-9);  // a far tail
  EXPECT_EQ(BinomialCdf(-1, 10, 0.5), 0);
  EXPECT_EQ(BinomialCdf(10, 10, 0.5), 1);
}

TEST(ConfidenceBoundsTest, StudentTAndChiSquareQuantilesAreScipys) {
  ExpectNear(StudentTQuantile(0.95, 1), 6.313751514675037, 1e-10);
  ExpectNear(StudentTQuantile(0.95, 5), 2.0150483733330233, 1e-10);
  ExpectNear(StudentTQuantile(0.99, 30), 2.457261542400591, 1e-10);
  ExpectNear(StudentTQuantile(0.95, 1000), 1.6463788172854643, 1e-10);
  ExpectNear(StudentTQuantile(0.05, 5), -2.0150483733330233, 1e-10);
  ExpectNear(ChiSquareQuantile(0.95, 1), 3.841458820694124, 1e-10);
  ExpectNear(ChiSquareQuantile(0.05, 1), 0.003932140000019522, 1e-10);
  ExpectNear(ChiSquareQuantile(0.95, 10), 18.307038053275146, 1e-10);
  ExpectNear(ChiSquareQuantile(0.05, 10), 3.9402991361190605, 1e-10);
  ExpectNear(ChiSquareQuantile(0.95, 100000), 100736.736177319, 1e-10);
  ExpectNear(ChiSquareQuantile(0.05, 100000), 99265.53787816064, 1e-10);
}

TEST(ConfidenceBoundsTest, WilsonScoreIsScipysAtTheEdgesToo) {
  struct Case {
    int64_t k, n;
    double low, high;
  };
  const Case cases[] = {{85, 100, 0.7820969631120788, 0.8994631323396992},
                        {0, 10, 0.0, 0.21294197008340698},
                        {10, 10, 0.787058029916593, 1.0},
                        {7, 12, 0.3559810149005346, 0.7800221193082192},
                        {4250, 5000, 0.8415046999655899, 0.8581167287990225}};
  for (const Case& c : cases) {
    const Bounds b = WilsonBounds(c.k, c.n, 0.95);
    ExpectNear(b.lower, c.low, 1e-12);
    ExpectNear(b.upper, c.high, 1e-12);
  }
  const Bounds none = WilsonBounds(0, 0, 0.95);
  EXPECT_EQ(none.lower, 0);
  EXPECT_EQ(none.upper, 1);
}

TEST(ConfidenceBoundsTest, QuantileRanksAreTheBinomialOrderStatistics) {
  struct Case {
    int64_t n;
    double q;
    int64_t lower, upper;
  };
  const Case cases[] = {
      {100, 0.99, 96, 100}, {1000, 0.99, 984, 995}, {20, 0.5, 5, 14}, {10000, 0.9, 8949, 9049}};
  for (const Case& c : cases) {
    const RankBounds r = QuantileRankBounds(c.n, c.q, 0.95);
    EXPECT_EQ(r.lower, c.lower) << c.n << " " << c.q;
    EXPECT_EQ(r.upper, c.upper) << c.n << " " << c.q;
  }
}

TEST(ConfidenceBoundsTest, ErrorAndAucIntervalsAreScipys) {
  const Bounds mae = MeanAbsoluteErrorBounds(10, 12, 20, 0.95);
  ExpectNear(mae.lower, 0.7427412969823965, 1e-10);
  ExpectNear(mae.upper, 1.6572587030176034, 1e-10);
  const Bounds rmse = RootMeanSquaredErrorBounds(10, 20, 0.95);
  ExpectNear(rmse.lower, 1.0452157749253568, 1e-10);
  ExpectNear(rmse.upper, 2.2529440219286623, 1e-10);
  const Bounds auc = AucBounds(0.8, 50, 100, 0, 0.95);
  ExpectNear(auc.lower, 0.7321543570799545);
  ExpectNear(auc.upper, 0.8678456429200456);
  // The score bins' error widens it; no second class: no information.
  const Bounds binned = AucBounds(0.8, 50, 100, 0.01, 0.95);
  ExpectNear(binned.lower, 0.7321543570799545 - 0.01);
  const Bounds one_class = AucBounds(1, 50, 0, 0, 0.95);
  EXPECT_EQ(one_class.lower, 0);
  EXPECT_EQ(one_class.upper, 1);
  EXPECT_EQ(MeanAbsoluteErrorBounds(1, 3, 9, 0.95).upper, std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace mm::metrics
