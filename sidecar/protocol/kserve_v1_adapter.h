#pragma once

#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// KServe v1 / TensorFlow Serving row format: {"predictions": [instance, ...]}.
class KServeV1Adapter : public ProtocolAdapter {
 public:
  std::string_view name() const override { return "kserve-v1"; }
  Result<Extraction> Extract(std::string_view body) const override;
};

}  // namespace mm::sidecar
