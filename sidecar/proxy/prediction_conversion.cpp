#include "sidecar/proxy/prediction_conversion.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace mm::sidecar {
namespace {

std::optional<double> NumericString(const std::string& s) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Prediction> FromRow(const nlohmann::json& row) {
  if (row.empty()) return std::nullopt;
  Prediction p;
  for (const auto& v : row) {
    if (!v.is_number()) return std::nullopt;
    const double x = v.get<double>();
    if (!std::isfinite(x)) return std::nullopt;
    p.scores.push_back(x);
  }
  if (p.scores.size() == 1) {
    p.value = p.scores[0] >= 0.5 ? 1 : 0;
    return p;
  }
  size_t best = 0;
  for (size_t i = 1; i < p.scores.size(); ++i) {
    if (p.scores[i] > p.scores[best]) best = i;
  }
  p.value = static_cast<double>(best);
  if (p.scores.size() == 2) p.scores = {p.scores[1]};
  return p;
}

}  // namespace

std::optional<Prediction> ToStorePrediction(const InstanceOutput& output) {
  const auto j = nlohmann::json::parse(output.value, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  Prediction p;
  if (j.is_boolean()) {
    p.value = j.get<bool>() ? 1 : 0;
  } else if (j.is_number()) {
    p.value = j.get<double>();
    if (!std::isfinite(p.value)) return std::nullopt;
  } else if (j.is_string()) {
    auto v = NumericString(j.get<std::string>());
    if (!v) return std::nullopt;
    p.value = *v;
  } else if (j.is_array()) {
    return FromRow(j);
  } else {
    return std::nullopt;
  }
  return p;
}

std::string JoinId(std::string_view request_id, uint32_t instance, size_t instances) {
  std::string id(request_id);
  if (instances == 1) return id;
  return id + "/" + std::to_string(instance);
}

}  // namespace mm::sidecar
