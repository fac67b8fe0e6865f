#pragma once

#include "sidecar/protocol/json_response_adapter.h"

namespace mm::sidecar {

// KServe v1 / TensorFlow Serving row format: {"predictions": [instance, ...]}.
class KServeV1Adapter : public JsonResponseAdapter {
 public:
  KServeV1Adapter();
  std::string_view name() const override { return "kserve-v1"; }
  Result<Extraction> ExtractFrom(const nlohmann::json& response) const override;
};

}  // namespace mm::sidecar
