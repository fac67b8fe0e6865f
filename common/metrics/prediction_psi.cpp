#include "common/metrics/prediction_psi.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace mm::metrics {

bool PredictionPsi(const std::map<int64_t, int64_t>& reference,
                   const std::map<int64_t, int64_t>& current, double* psi) {
  int64_t ref_total = 0, cur_total = 0;
  for (const auto& [bin, n] : reference) ref_total += n;
  for (const auto& [bin, n] : current) cur_total += n;
  if (ref_total == 0 || cur_total == 0) return false;

  // Group upper bounds (inclusive bin keys); the last group is open-ended.
  std::vector<int64_t> upper;
  if (reference.size() <= static_cast<size_t>(kPsiGroups)) {
    for (const auto& [bin, n] : reference) upper.push_back(bin);
  } else {
    // A bin closes a group when it takes the cumulative share past the next decile
    // (one heavy bin may pass several: it still closes one group).
    int64_t cumulative = 0, deciles_passed = 0;
    for (const auto& [bin, n] : reference) {
      cumulative += n;
      const int64_t passed = cumulative * kPsiGroups / ref_total;
      if (passed > deciles_passed) {
        upper.push_back(bin);
        deciles_passed = passed;
      }
    }
    if (upper.empty() || upper.back() != reference.rbegin()->first) {
      upper.push_back(reference.rbegin()->first);
    }
  }
  upper.back() = INT64_MAX;
  auto group_of = [&](int64_t bin) {
    return static_cast<size_t>(std::lower_bound(upper.begin(), upper.end(), bin) - upper.begin());
  };
  std::vector<double> ref(upper.size(), 0), cur(upper.size(), 0);
  for (const auto& [bin, n] : reference) ref[group_of(bin)] += static_cast<double>(n);
  for (const auto& [bin, n] : current) cur[group_of(bin)] += static_cast<double>(n);
  double sum = 0;
  for (size_t g = 0; g < upper.size(); ++g) {
    const double r = std::max(ref[g] / static_cast<double>(ref_total), kPsiMinShare);
    const double c = std::max(cur[g] / static_cast<double>(cur_total), kPsiMinShare);
    sum += (c - r) * std::log(c / r);
  }
  *psi = sum;
  return true;
}

}  // namespace mm::metrics
