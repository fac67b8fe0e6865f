#pragma once

#include "sidecar/protocol/json_path.h"
#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// Any JSON response: outputPath selects the predictions. An array selected by a
// path without [*] is a batch (one instance per element); a wildcard path yields
// one instance per node it selects; anything else is a single instance.
class GenericJsonAdapter : public ProtocolAdapter {
 public:
  explicit GenericJsonAdapter(JsonPath path) : path_(std::move(path)) {}
  std::string_view name() const override { return "json"; }
  Result<Extraction> Extract(std::string_view body) const override;

 private:
  JsonPath path_;
};

}  // namespace mm::sidecar
