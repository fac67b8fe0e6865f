#include "common/metrics/score_histogram.h"

#include <algorithm>
#include <cmath>

namespace mm::metrics {

int ScoreHistogram::BinOf(double score) {
  if (!(score > 0)) return 0;  // also NaN
  if (score >= 1) return kBins - 1;
  return std::min(kBins - 1, static_cast<int>(std::floor(score * kBins)));
}

void ScoreHistogram::Add(double score, bool positive) {
  auto& c = bins_[BinOf(score)];
  (positive ? c.positive : c.negative) += 1;
}

void ScoreHistogram::AddBin(int bin, Counts counts) {
  auto& c = bins_[bin];
  c.negative += counts.negative;
  c.positive += counts.positive;
}

void ScoreHistogram::Merge(const ScoreHistogram& other) {
  for (const auto& [bin, counts] : other.bins_) AddBin(bin, counts);
}

bool ScoreHistogram::ComputeAuc(Auc* out) const {
  // Mann-Whitney: over bins in ascending order, a positive beats every negative
  // in a lower bin and ties (1/2) with the negatives in its own bin.
  double negatives_below = 0;
  double wins = 0;
  double same_bin_pairs = 0;
  double positives = 0;
  for (const auto& [bin, c] : bins_) {
    const double pos = static_cast<double>(c.positive);
    const double neg = static_cast<double>(c.negative);
    wins += pos * (negatives_below + 0.5 * neg);
    same_bin_pairs += pos * neg;
    negatives_below += neg;
    positives += pos;
  }
  const double pairs = positives * negatives_below;
  if (pairs == 0) return false;
  out->value = wins / pairs;
  out->error_bound = 0.5 * same_bin_pairs / pairs;
  return true;
}

}  // namespace mm::metrics
