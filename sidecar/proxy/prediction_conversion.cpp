#include "sidecar/proxy/prediction_conversion.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace mm::sidecar {
namespace {

std::optional<double> NumericString(const std::string& s) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Value and scores of a non-empty row of finite probabilities (see the header).
metrics::Prediction FromScores(std::vector<double> scores) {
  metrics::Prediction p;
  p.scores = std::move(scores);
  if (p.scores.size() == 1) {
    p.value = p.scores[0] >= 0.5 ? 1 : 0;
    return p;
  }
  size_t best = 0;
  for (size_t i = 1; i < p.scores.size(); ++i) {
    if (p.scores[i] > p.scores[best]) best = i;
  }
  p.value = static_cast<double>(best);
  // A binary row keeps P(class 1); which class is positive (positiveClass) is the
  // accuracy configuration's business (PositiveScore in accuracy_bucket.h).
  if (p.scores.size() == 2) p.scores = {p.scores[1]};
  return p;
}

}  // namespace

std::optional<metrics::Prediction> ToStorePrediction(const InstanceOutput& output) {
  if (output.numbers.empty()) {
    // Text, objects, empty or mixed rows: only a numeric string is a prediction.
    const auto j = nlohmann::json::parse(output.json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_string()) return std::nullopt;
    auto v = NumericString(j.get_ref<const std::string&>());
    if (!v) return std::nullopt;
    metrics::Prediction p;
    p.value = *v;
    return p;
  }
  if (!std::all_of(output.numbers.begin(), output.numbers.end(),
                   [](double x) { return std::isfinite(x); })) {
    return std::nullopt;
  }
  if (output.row) return FromScores({output.numbers.begin(), output.numbers.end()});
  metrics::Prediction p;
  p.value = output.numbers[0];
  return p;
}

std::string JoinId(std::string_view request_id, uint32_t instance, size_t instances) {
  std::string id(request_id);
  if (instances == 1) return id;
  return id + "/" + std::to_string(instance);
}

}  // namespace mm::sidecar
