#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/result.h"

namespace mm::metrics {

// A histogram of positive values with fixed logarithmic buckets: bucket i holds
// (gamma^(i-1), gamma^i] with gamma = (1 + a) / (1 - a), a = 1%. Every quantile
// it reports is within 1% relative error of the exact quantile of the values
// recorded (same rank definition as ExactQuantile in the tests: the value of rank
// floor(q * (n - 1)) in sorted order). Bucket boundaries are the same in every
// process, so histograms from many pods merge exactly by adding counts.
// Values <= 1e-9 (and non-finite or negative ones) count in a zero bucket.
// Memory: one counter per bucket between the smallest and largest seen (latencies
// spanning 1 ms to 1 s use ~350 counters). Not thread-safe.
class LogHistogram {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  static constexpr double kMinValue = 1e-9;
  static constexpr int kMinIndex = -1100;  // ~1e-9
  static constexpr int kMaxIndex = 1100;   // ~1e9

  static double Gamma();
  static int IndexOf(double value);
  // The value reported for bucket `index`: within kRelativeAccuracy of anything in it.
  static double ValueOf(int index);

  void Record(double value, uint64_t times = 1);
  void Merge(const LogHistogram& other);
  // NaN when empty. q in [0, 1]. The value of rank floor(q * (n - 1)).
  double Quantile(double q) const;
  // The value of 0-based rank `rank` in sorted order (clamped to 0..n-1); NaN when empty.
  double ValueAtRank(uint64_t rank) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  bool empty() const { return count_ == 0; }

  // {"count", "sum", "zeroCount", "offset": first bucket index, "counts": [...]}.
  nlohmann::json ToJson() const;
  static Result<LogHistogram> FromJson(const nlohmann::json& j);

 private:
  int offset_ = 0;  // bucket index of counts_[0]
  std::vector<uint64_t> counts_;
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace mm::metrics
