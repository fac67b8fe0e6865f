#include "sidecar/protocol/instance_prediction.h"

#include <algorithm>
#include <optional>

namespace mm::sidecar {

namespace {

// The score of a row [begin, end): p(positive) of a two-class row (as predict_proba
// gives), else the largest element; none unless all elements are numbers.
std::optional<double> RowScore(nlohmann::json::const_iterator begin,
                               nlohmann::json::const_iterator end) {
  if (begin == end ||
      !std::all_of(begin, end, [](const nlohmann::json& v) { return v.is_number(); })) {
    return std::nullopt;
  }
  if (end - begin == 2) return (begin + 1)->get<double>();
  double best = begin->get<double>();
  for (auto it = begin; it != end; ++it) best = std::max(best, it->get<double>());
  return best;
}

}  // namespace

InstanceOutput InstancePrediction(const nlohmann::json& instance) {
  InstanceOutput p;
  p.value = instance.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (instance.is_number()) {
    p.score = instance.get<double>();
  } else if (instance.is_boolean()) {
    p.score = instance.get<bool>() ? 1.0 : 0.0;
  } else if (instance.is_array()) {
    p.score = RowScore(instance.begin(), instance.end());
  }
  return p;
}

InstanceRowWriter::InstanceRowWriter()
    : serializer_(nlohmann::detail::output_adapter<char>(scratch_), ' ',
                  nlohmann::json::error_handler_t::replace) {}

InstanceOutput InstanceRowWriter::Row(const nlohmann::json& flat, size_t first, size_t width) {
  const auto begin = flat.cbegin() + static_cast<std::ptrdiff_t>(first);
  const auto end = begin + static_cast<std::ptrdiff_t>(width);
  scratch_.assign(1, '[');
  for (auto it = begin; it != end; ++it) {
    if (it != begin) scratch_.push_back(',');
    serializer_.dump(*it, /*pretty_print=*/false, /*ensure_ascii=*/false, /*indent_step=*/0);
  }
  scratch_.push_back(']');
  return InstanceOutput{scratch_, RowScore(begin, end)};
}

}  // namespace mm::sidecar
