#pragma once

#include "sidecar/protocol/json_response_adapter.h"

namespace mm::sidecar {

// Open Inference Protocol v2 (KServe v2, MLServer, Triton): predictions are in
// outputs[0].data, row-major with outputs[0].shape; shape[0] is the batch size, so
// each instance is one row (a scalar when the row has one element).
class OpenInferenceV2Adapter : public JsonResponseAdapter {
 public:
  OpenInferenceV2Adapter();
  std::string_view name() const override { return "open-inference-v2"; }
  Result<Extraction> ExtractFrom(const nlohmann::json& response) const override;
};

}  // namespace mm::sidecar
