#include "common/metrics/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mm::metrics {

namespace {
const double kGamma = (1 + LogHistogram::kRelativeAccuracy) / (1 - LogHistogram::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
}  // namespace

double LogHistogram::Gamma() { return kGamma; }

int LogHistogram::IndexOf(double value) {
  const double raw = std::ceil(std::log(value) / kLogGamma);
  return static_cast<int>(std::clamp(raw, double{kMinIndex}, double{kMaxIndex}));
}

double LogHistogram::ValueOf(int index) {
  // The point of (gamma^(i-1), gamma^i] whose relative distance to both ends is a.
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

void LogHistogram::Record(double value, uint64_t times) {
  if (times == 0) return;
  count_ += times;
  if (!(value > kMinValue) || !std::isfinite(value)) {
    zero_count_ += times;
    return;
  }
  sum_ += value * static_cast<double>(times);
  const int index = IndexOf(value);
  if (counts_.empty()) {
    offset_ = index;
    counts_.assign(1, 0);
  } else if (index < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - index), 0);
    offset_ = index;
  } else if (index >= offset_ + static_cast<int>(counts_.size())) {
    counts_.resize(static_cast<size_t>(index - offset_ + 1), 0);
  }
  counts_[static_cast<size_t>(index - offset_)] += times;
}

void LogHistogram::Merge(const LogHistogram& other) {
  for (size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] == 0) continue;
    const int index = other.offset_ + static_cast<int>(i);
    // Record() keeps the dense range; sum and count are added below instead.
    const double saved_sum = sum_;
    const uint64_t saved_count = count_;
    Record(ValueOf(index), other.counts_[i]);
    sum_ = saved_sum;
    count_ = saved_count;
  }
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  sum_ += other.sum_;
}

double LogHistogram::Quantile(double q) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  return ValueAtRank(static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1))));
}

double LogHistogram::ValueAtRank(uint64_t rank) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  rank = std::min(rank, count_ - 1);
  if (rank < zero_count_) return 0;
  uint64_t seen = zero_count_;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen > rank) return ValueOf(offset_ + static_cast<int>(i));
  }
  return ValueOf(offset_ + static_cast<int>(counts_.size()) - 1);
}

nlohmann::json LogHistogram::ToJson() const {
  // Trim empty ends so the wire form stays small.
  size_t first = 0;
  size_t last = counts_.size();
  while (first < last && counts_[first] == 0) ++first;
  while (last > first && counts_[last - 1] == 0) --last;
  return nlohmann::json{
      {"count", count_},
      {"sum", sum_},
      {"zeroCount", zero_count_},
      {"offset", offset_ + static_cast<int>(first)},
      {"counts", std::vector<uint64_t>(counts_.begin() + static_cast<std::ptrdiff_t>(first),
                                       counts_.begin() + static_cast<std::ptrdiff_t>(last))}};
}

Result<LogHistogram> LogHistogram::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Error{"histogram: expected an object with count, sum, offset, counts"};
  auto u64 = [&](const char* key, uint64_t* out) -> bool {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return false;
    *out = it->get<uint64_t>();
    return true;
  };
  LogHistogram h;
  if (!u64("count", &h.count_) || !u64("zeroCount", &h.zero_count_)) {
    return Error{"histogram: count and zeroCount must be non-negative integers"};
  }
  auto sum = j.find("sum");
  auto offset = j.find("offset");
  auto counts = j.find("counts");
  if (sum == j.end() || !sum->is_number() || offset == j.end() || !offset->is_number_integer() ||
      counts == j.end() || !counts->is_array()) {
    return Error{"histogram: sum (number), offset (integer) and counts (array) are required"};
  }
  h.sum_ = sum->get<double>();
  const auto off = offset->get<int64_t>();
  if (off < kMinIndex || off + static_cast<int64_t>(counts->size()) - 1 > kMaxIndex) {
    return Error{"histogram: buckets outside [" + std::to_string(kMinIndex) + ", " +
                 std::to_string(kMaxIndex) + "]"};
  }
  h.offset_ = static_cast<int>(off);
  uint64_t total = h.zero_count_;
  for (const auto& c : *counts) {
    if (!c.is_number_integer() || c.get<int64_t>() < 0) {
      return Error{"histogram: counts must be non-negative integers"};
    }
    h.counts_.push_back(c.get<uint64_t>());
    total += h.counts_.back();
  }
  if (total != h.count_) {
    return Error{"histogram: count " + std::to_string(h.count_) +
                 " is not zeroCount plus the bucket counts (" + std::to_string(total) + ")"};
  }
  return h;
}

}  // namespace mm::metrics
