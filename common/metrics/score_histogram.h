#pragma once

#include <cstdint>
#include <map>

namespace mm::metrics {

// Scores of one class against the rest, in fixed bins on [0, 1]: the mergeable
// state AUC-ROC is computed from. Sparse: only bins that were hit are kept, so a
// bucket holds at most min(samples, kBins) entries.
class ScoreHistogram {
 public:
  static constexpr int kBins = 10000;

  struct Counts {
    int64_t negative = 0;
    int64_t positive = 0;
  };

  static int BinOf(double score);  // clamps to [0, 1]
  void Add(double score, bool positive);
  void AddBin(int bin, Counts counts);
  void Merge(const ScoreHistogram& other);
  const std::map<int, Counts>& bins() const { return bins_; }

  struct Auc {
    double value = 0;
    // |value - exact AUC| <= error_bound: pairs of a positive and a negative in the
    // same bin are counted as ties (1/2), whereas the exact AUC counts each as 0,
    // 1/2 or 1, so the error is at most half their share of all pairs.
    double error_bound = 0;
  };
  // Empty when there is not at least one positive and one negative.
  bool ComputeAuc(Auc* out) const;

 private:
  std::map<int, Counts> bins_;
};

}  // namespace mm::metrics
