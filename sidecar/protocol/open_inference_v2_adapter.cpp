#include "sidecar/protocol/open_inference_v2_adapter.h"

#include <algorithm>

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {

OpenInferenceV2Adapter::OpenInferenceV2Adapter()
    : JsonResponseAdapter(JsonSelection({JsonPath::Parse("$.outputs[0].data").value(),
                                         JsonPath::Parse("$.outputs[0].shape").value()})) {}

Result<Extraction> OpenInferenceV2Adapter::ExtractFrom(const nlohmann::json& j) const {
  auto outputs = j.is_object() ? j.find("outputs") : j.end();
  if (!j.is_object() || outputs == j.end() || !outputs->is_array() || outputs->empty() ||
      !(*outputs)[0].is_object()) {
    return Error{"open-inference-v2: the response has no outputs[0] object"};
  }
  const nlohmann::json& out = (*outputs)[0];
  auto data = out.find("data");
  if (data == out.end() || !data->is_array()) {
    return Error{"open-inference-v2: outputs[0].data is missing or not an array"};
  }
  Extraction e;
  // Nested data ([[0.1, 0.9], ...]) is already one row per instance.
  if (!data->empty() && (*data)[0].is_array()) {
    for (const auto& row : *data) e.predictions.push_back(InstancePrediction(row));
    return e;
  }
  size_t rows = data->size();
  size_t width = 1;
  auto shape = out.find("shape");
  if (shape != out.end() && shape->is_array() && !shape->empty()) {
    uint64_t product = 1;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) {
        return Error{"open-inference-v2: outputs[0].shape must hold non-negative integers"};
      }
      product *= std::max<uint64_t>(d.get<uint64_t>(), 1);
      if (product > data->size()) break;
    }
    if (product != data->size() && !(data->empty() && (*shape)[0].get<uint64_t>() == 0)) {
      return Error{"open-inference-v2: outputs[0].shape " + shape->dump() + " does not match " +
                   std::to_string(data->size()) + " data elements"};
    }
    rows = (*shape)[0].get<uint64_t>();
    width = rows == 0 ? 1 : data->size() / rows;
  }
  e.predictions.reserve(rows);
  if (width == 1) {
    for (size_t r = 0; r < rows; ++r) e.predictions.push_back(InstancePrediction((*data)[r]));
    return e;
  }
  for (size_t r = 0; r < rows; ++r) e.predictions.push_back(InstanceRow(*data, r * width, width));
  return e;
}

}  // namespace mm::sidecar
