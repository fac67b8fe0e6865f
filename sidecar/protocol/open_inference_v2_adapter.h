#pragma once

#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// Open Inference Protocol v2 (KServe v2, MLServer, Triton): predictions are in
// outputs[0].data, row-major with outputs[0].shape; shape[0] is the batch size, so
// each instance is one row (a scalar when the row has one element).
class OpenInferenceV2Adapter : public ProtocolAdapter {
 public:
  std::string_view name() const override { return "open-inference-v2"; }
  Result<Extraction> Extract(std::string_view body) const override;
};

}  // namespace mm::sidecar
