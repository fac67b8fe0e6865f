#include "sidecar/protocol/generic_json_adapter.h"

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {

GenericJsonAdapter::GenericJsonAdapter(JsonPath path)
    : JsonResponseAdapter(JsonSelection({path})), path_(std::move(path)) {}

Result<Extraction> GenericJsonAdapter::ExtractFrom(const nlohmann::json& response) const {
  const auto nodes = path_.Select(response);
  if (nodes.empty()) {
    return Error{"json: outputPath " + path_.text() + " selects nothing in the model response"};
  }
  Extraction e;
  if (!path_.has_wildcard() && nodes.size() == 1 && nodes[0]->is_array()) {
    for (const auto& instance : *nodes[0]) e.predictions.push_back(InstancePrediction(instance));
  } else {
    for (const nlohmann::json* node : nodes) e.predictions.push_back(InstancePrediction(*node));
  }
  return e;
}

}  // namespace mm::sidecar
