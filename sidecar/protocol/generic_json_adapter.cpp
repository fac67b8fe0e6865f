#include "sidecar/protocol/generic_json_adapter.h"

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {

Result<Extraction> GenericJsonAdapter::Extract(std::string_view body) const {
  auto parsed = ParseResponseJson(body, name());
  if (!parsed) return parsed.error();
  const auto nodes = path_.Select(*parsed);
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
