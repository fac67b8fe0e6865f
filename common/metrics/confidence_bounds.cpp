#include "common/metrics/confidence_bounds.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTiny = 1e-300;
constexpr double kEpsilon = 1e-15;
// Continued fractions and series converge in O(√a) steps; 10⁶ covers a, b up to ~10¹¹.
constexpr int kMaxIterations = 1'000'000;

double Polynomial(const double* c, int n, double x) {  // c[0] + c[1]·x + ... + c[n-1]·x^(n-1)
  double v = 0;
  for (int i = n - 1; i >= 0; --i) v = v * x + c[i];
  return v;
}

// Lentz's evaluation of the continued fraction of I_x(a, b) (Numerical Recipes 6.4).
double BetaContinuedFraction(double a, double b, double x) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEpsilon) break;
  }
  return h;
}

// The smallest x in [lo, hi] with f(x) >= target, f non-decreasing; hi grows
// (doubling) until f(hi) >= target. To a relative width of 1e-15.
template <typename F>
double Invert(F f, double target, double lo, double hi) {
  for (int i = 0; i < 2000 && f(hi) < target; ++i) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 400 && hi - lo > 1e-15 * std::max(1.0, std::fabs(hi)); ++i) {
    const double mid = lo + (hi - lo) / 2;
    (f(mid) < target ? lo : hi) = mid;
  }
  return lo + (hi - lo) / 2;
}

// The smallest k in [lo, hi] with pred(k), pred monotone false..true; hi + 1 if none.
template <typename P>
int64_t FirstTrue(int64_t lo, int64_t hi, P pred) {
  int64_t count = hi - lo + 1;
  while (count > 0) {
    const int64_t step = count / 2;
    if (!pred(lo + step)) {
      lo += step + 1;
      count -= step + 1;
    } else {
      count = step;
    }
  }
  return lo;
}

}  // namespace

double NormalQuantile(double p) {
  if (!(p > 0)) return -kInf;
  if (!(p < 1)) return kInf;
  static constexpr double a[] = {
      3.387132872796366608,  133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
      45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727};
  static constexpr double b[] = {1.0,
                                 42.313330701600911252,
                                 687.1870074920579083,
                                 5394.1960214247511077,
                                 21213.794301586595867,
                                 39307.89580009271061,
                                 28729.085735721942674,
                                 5226.495278852545925};
  static constexpr double c[] = {1.42343711074968357734,   4.6303378461565452959,
                                 5.7694972214606914055,    3.64784832476320460504,
                                 1.27045825245236838258,   0.24178072517745061177,
                                 0.0227238449892691845833, 7.7454501427834140764e-4};
  static constexpr double d[] = {1.0,
                                 2.05319162663775882187,
                                 1.6763848301838038494,
                                 0.68976733498510000455,
                                 0.14810397642748007459,
                                 0.0151986665636164571966,
                                 5.475938084995344946e-4,
                                 1.05075007164441684324e-9};
  static constexpr double e[] = {6.6579046435011037772,     5.4637849111641143699,
                                 1.7848265399172913358,     0.29656057182850489123,
                                 0.026532189526576123093,   0.0012426609473880784386,
                                 2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double f[] = {1.0,
                                 0.59983220655588793769,
                                 0.13692988092273580531,
                                 0.0148753612908506148525,
                                 7.868691311456132591e-4,
                                 1.8463183175100546818e-5,
                                 1.4215117583164458887e-7,
                                 2.04426310338993978564e-15};
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * Polynomial(a, 8, r) / Polynomial(b, 8, r);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1 - p));
  double v;
  if (r <= 5) {
    r -= 1.6;
    v = Polynomial(c, 8, r) / Polynomial(d, 8, r);
  } else {
    r -= 5;
    v = Polynomial(e, 8, r) / Polynomial(f, 8, r);
  }
  return q < 0 ? -v : v;
}

double IncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

double IncompleteGamma(double a, double x) {
  if (x <= 0) return 0;
  const double front = std::exp(-x + a * std::log(x) - std::lgamma(a));
  if (x < a + 1) {  // series
    double term = 1 / a, sum = term;
    for (int n = 1; n <= kMaxIterations; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * kEpsilon) break;
    }
    return std::min(1.0, sum * front);
  }
  // Continued fraction for Q(a, x) (Numerical Recipes 6.2, Lentz).
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i <= kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEpsilon) break;
  }
  return std::max(0.0, 1 - front * h);
}

double BinomialCdf(int64_t k, int64_t n, double p) {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  // P(X <= k) = I_{1-p}(n - k, k + 1).
  return IncompleteBeta(static_cast<double>(n - k), static_cast<double>(k) + 1, 1 - p);
}

double StudentTQuantile(double p, double dof) {
  if (!(p > 0)) return -kInf;
  if (!(p < 1)) return kInf;
  if (p < 0.5) return -StudentTQuantile(1 - p, dof);
  if (p == 0.5) return 0;
  // For t >= 0: F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½).
  const auto cdf = [dof](double t) {
    return 1 - 0.5 * IncompleteBeta(dof / 2, 0.5, dof / (dof + t * t));
  };
  return Invert(cdf, p, 0, std::max(1.0, 2 * NormalQuantile(p)));
}

double ChiSquareQuantile(double p, double dof) {
  if (!(p > 0)) return 0;
  if (!(p < 1)) return kInf;
  const auto cdf = [dof](double x) { return IncompleteGamma(dof / 2, x / 2); };
  return Invert(cdf, p, 0, dof + 10 * std::sqrt(2 * dof) + 10);
}

Bounds WilsonBounds(int64_t successes, int64_t trials, double confidence) {
  if (trials <= 0) return {0, 1};
  const double n = static_cast<double>(trials);
  const double p = std::clamp(static_cast<double>(successes) / n, 0.0, 1.0);
  const double z = NormalQuantile(confidence);
  const double z2 = z * z;
  const double center = p + z2 / (2 * n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  const double scale = 1 + z2 / n;
  return {std::clamp((center - half) / scale, 0.0, 1.0),
          std::clamp((center + half) / scale, 0.0, 1.0)};
}

Bounds AucBounds(double auc, int64_t positives, int64_t negatives, double binning_error,
                 double confidence) {
  if (positives <= 0 || negatives <= 0) return {0, 1};
  const double a = std::clamp(auc, 0.0, 1.0);
  const double np = static_cast<double>(positives);
  const double nn = static_cast<double>(negatives);
  const double q1 = a / (2 - a);
  const double q2 = 2 * a * a / (1 + a);
  const double variance =
      (a * (1 - a) + (np - 1) * (q1 - a * a) + (nn - 1) * (q2 - a * a)) / (np * nn);
  const double half = NormalQuantile(confidence) * std::sqrt(std::max(0.0, variance));
  const double slack = std::max(0.0, binning_error);
  return {std::clamp(a - half - slack, 0.0, 1.0), std::clamp(a + half + slack, 0.0, 1.0)};
}

Bounds MeanAbsoluteErrorBounds(int64_t n, double abs_error_sum, double squared_error_sum,
                               double confidence) {
  if (n < 2) return {0, kInf};
  const double count = static_cast<double>(n);
  const double mean = abs_error_sum / count;
  const double variance =
      std::max(0.0, (squared_error_sum - abs_error_sum * abs_error_sum / count) / (count - 1));
  const double half = StudentTQuantile(confidence, count - 1) * std::sqrt(variance / count);
  return {std::max(0.0, mean - half), mean + half};
}

Bounds RootMeanSquaredErrorBounds(int64_t n, double squared_error_sum, double confidence) {
  if (n <= 0) return {0, kInf};
  const double sum = std::max(0.0, squared_error_sum);
  const double dof = static_cast<double>(n);
  const double high_chi = ChiSquareQuantile(confidence, dof);
  const double low_chi = ChiSquareQuantile(1 - confidence, dof);
  return {std::sqrt(sum / high_chi), low_chi > 0 ? std::sqrt(sum / low_chi) : kInf};
}

RankBounds QuantileRankBounds(int64_t n, double q, double confidence) {
  if (n <= 0) return {-1, 0};
  q = std::clamp(q, 0.0, 1.0);
  RankBounds r;
  r.upper = FirstTrue(0, n, [&](int64_t k) { return BinomialCdf(k, n, q) >= confidence; });
  r.lower =
      FirstTrue(0, n - 1, [&](int64_t k) { return BinomialCdf(k, n, q) > 1 - confidence; }) - 1;
  return r;
}

}  // namespace mm::metrics
