#pragma once

#include <optional>

namespace mm::metrics {

// Exponential moving average of a metric, as the CRD's smoothing.emaAlpha:
// y[n] = a·y[n-1] + (1-a)·x[n], with y[0] = x[0] (no bias toward 0 at the start).
// alpha in [0, 1): 0 = no smoothing. The operator's alerts resume it from the
// exact state kept in status (status.alerts[].smoothedValue) on every evaluation.
class Ema {
 public:
  explicit Ema(double alpha) : alpha_(alpha) {}
  // Resumes from y[n-1] = `previous`.
  Ema(double alpha, double previous) : alpha_(alpha), value_(previous), started_(true) {}
  double Update(double x) {
    value_ = started_ ? alpha_ * value_ + (1 - alpha_) * x : x;
    started_ = true;
    return value_;
  }
  std::optional<double> value() const {
    return started_ ? std::optional<double>(value_) : std::nullopt;
  }
  void Reset() { started_ = false; }

 private:
  double alpha_;
  double value_ = 0;
  bool started_ = false;
};

}  // namespace mm::metrics
