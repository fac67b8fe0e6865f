#include "sidecar/protocol/instance_prediction.h"

#include <algorithm>

namespace mm::sidecar {

InstanceOutput InstancePrediction(const nlohmann::json& instance) {
  InstanceOutput p;
  p.value = instance.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (instance.is_number()) {
    p.score = instance.get<double>();
  } else if (instance.is_boolean()) {
    p.score = instance.get<bool>() ? 1.0 : 0.0;
  } else if (instance.is_array() && !instance.empty() &&
             std::all_of(instance.begin(), instance.end(),
                         [](const nlohmann::json& v) { return v.is_number(); })) {
    if (instance.size() == 2) {
      p.score = instance[1].get<double>();  // [p(negative), p(positive)], as predict_proba
    } else {
      double best = instance[0].get<double>();
      for (const auto& v : instance) best = std::max(best, v.get<double>());
      p.score = best;
    }
  }
  return p;
}

Result<nlohmann::json> ParseResponseJson(std::string_view body, std::string_view protocol) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Error{std::string(protocol) + ": the model response is not valid JSON (" +
                 std::to_string(body.size()) + " bytes)"};
  }
  return j;
}

}  // namespace mm::sidecar
