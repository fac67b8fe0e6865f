#include "sidecar/protocol/kserve_v1_adapter.h"

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {

KServeV1Adapter::KServeV1Adapter()
    : JsonResponseAdapter(JsonSelection({JsonPath::Parse("$.predictions").value()})) {}

Result<Extraction> KServeV1Adapter::ExtractFrom(const nlohmann::json& j) const {
  auto predictions = j.is_object() ? j.find("predictions") : j.end();
  if (!j.is_object() || predictions == j.end() || !predictions->is_array()) {
    return Error{"kserve-v1: the response has no \"predictions\" array"};
  }
  Extraction e;
  e.predictions.reserve(predictions->size());
  for (const auto& instance : *predictions) e.predictions.push_back(InstancePrediction(instance));
  return e;
}

}  // namespace mm::sidecar
