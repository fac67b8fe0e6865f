#pragma once

#include <cstdint>
#include <map>

namespace mm::metrics {

// Population stability index of the current prediction distribution against a
// reference, both given as counts per fixed bin (AccuracyBucket::prediction_bins):
//
//   PSI = Σ_g (c_g - r_g) · ln(c_g / r_g)
//
// over at most kPsiGroups groups of adjacent bins. With kPsiGroups or fewer
// reference bins (classes), each bin is a group; otherwise the groups are the
// reference's deciles (each holds about a tenth of the reference), so the PSI
// does not depend on how fine the fixed bins are. Shares below 1e-4 count as
// 1e-4 so an empty group gives a large, finite value. false when either side is
// empty.
inline constexpr int kPsiGroups = 10;
inline constexpr double kPsiMinShare = 1e-4;

bool PredictionPsi(const std::map<int64_t, int64_t>& reference,
                   const std::map<int64_t, int64_t>& current, double* psi);

}  // namespace mm::metrics
