#pragma once

#include <cstdint>

// One-sided confidence bounds on the alert metrics, computed from the mergeable
// aggregates only (counts and sums), so a bound over many pods is the bound of
// the merged data. Pure functions; docs/alerts.md ("Confidence") names each method.
//
// Every function returns both one-sided bounds at level `confidence` (0.5 to 1):
// P(true value >= lower) >= confidence and P(true value <= upper) >= confidence,
// asymptotically for the approximate methods. Together they are a two-sided
// interval at level 2·confidence − 1. A bound the data cannot give is ±infinity
// (upper) or the metric's floor (lower), never a made-up number.
namespace mm::metrics {

struct Bounds {
  double lower = 0;
  double upper = 0;
};

// Φ⁻¹(p) for 0 < p < 1: Wichura's AS 241 (PPND16), relative error about 1e-16.
double NormalQuantile(double p);

// Regularized incomplete beta I_x(a, b) (continued fraction, Numerical Recipes' betacf).
double IncompleteBeta(double a, double b, double x);
// Regularized lower incomplete gamma P(a, x) (series below a + 1, else continued fraction).
double IncompleteGamma(double a, double x);

// P(X <= k) for X ~ Binomial(n, p).
double BinomialCdf(int64_t k, int64_t n, double p);
// The p-quantile of Student's t with `dof` degrees of freedom.
double StudentTQuantile(double p, double dof);
// The p-quantile of the chi-square distribution with `dof` degrees of freedom.
double ChiSquareQuantile(double p, double dof);

// A proportion `successes` of `trials` (accuracy, precision, recall, error rate,
// label coverage): the Wilson score bounds, z = Φ⁻¹(confidence). Well behaved at 0
// and 1 successes and at small n, unlike p ± z·√(p(1−p)/n). trials 0: [0, 1].
Bounds WilsonBounds(int64_t successes, int64_t trials, double confidence);

// AUC-ROC from `positives` and `negatives` (Hanley & McNeil 1982): the standard
// error √((A(1−A) + (P−1)(Q1−A²) + (N−1)(Q2−A²)) / (P·N)), Q1 = A/(2−A),
// Q2 = 2A²/(1+A); bounds A ∓ z·SE widened by `binning_error` (the score
// histogram's bound on |A − exact A|), clamped to [0, 1]. No positive or no
// negative: [0, 1].
Bounds AucBounds(double auc, int64_t positives, int64_t negatives, double binning_error,
                 double confidence);

// Mean absolute error from n, Σ|e| and Σe² (Σ|e|² = Σe²): the mean of |e| ± t·s/√n
// with s² = (Σe² − (Σ|e|)²/n)/(n − 1) and t Student's quantile with n − 1 degrees
// of freedom (a t interval on the mean of |e|, asymptotically exact by the central
// limit theorem). Lower clamped at 0; n < 2: [0, ∞).
Bounds MeanAbsoluteErrorBounds(int64_t n, double abs_error_sum, double squared_error_sum,
                               double confidence);

// Root mean squared error from n and Σe²: with errors normal of mean 0 and spread
// σ, Σe²/σ² is chi-square with n degrees of freedom, so σ lies in
// [√(Σe²/χ²_{c,n}), √(Σe²/χ²_{1−c,n})]. (The chi-square interval: exact for normal
// errors, too narrow for heavy-tailed ones.) n 0: [0, ∞).
Bounds RootMeanSquaredErrorBounds(int64_t n, double squared_error_sum, double confidence);

// The q-quantile of a distribution from n sorted values x(0) <= ... <= x(n−1): the
// 0-based ranks whose values bound it (distribution-free; the order statistics'
// binomial bound). With K ~ Binomial(n, q), the number of values below the
// quantile: `lower` is the largest k with P(K <= k) <= 1 − confidence, so
// P(x(lower) <= quantile) >= confidence; `upper` the smallest k with
// P(K <= k) >= confidence, so P(x(upper) >= quantile) >= confidence. -1: no such
// rank (no lower bound from the data); n: none above (the upper bound is ∞).
struct RankBounds {
  int64_t lower = -1;
  int64_t upper = 0;
};
RankBounds QuantileRankBounds(int64_t n, double q, double confidence);

}  // namespace mm::metrics
