#include "sidecar/protocol/kserve_v1_adapter.h"

#include "sidecar/protocol/instance_prediction.h"

namespace mm::sidecar {

Result<Extraction> KServeV1Adapter::Extract(std::string_view body) const {
  auto parsed = ParseResponseJson(body, name());
  if (!parsed) return parsed.error();
  const nlohmann::json& j = *parsed;
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
