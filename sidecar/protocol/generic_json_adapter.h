#pragma once

#include "sidecar/protocol/json_path.h"
#include "sidecar/protocol/json_response_adapter.h"

namespace mm::sidecar {

// Any JSON response: outputPath selects the predictions. An array selected by a
// path without [*] is a batch (one instance per element); a wildcard path yields
// one instance per node it selects; anything else is a single instance.
class GenericJsonAdapter : public JsonResponseAdapter {
 public:
  explicit GenericJsonAdapter(JsonPath path);
  std::string_view name() const override { return "json"; }
  Result<Extraction> ExtractFrom(const nlohmann::json& response) const override;

 private:
  JsonPath path_;
};

}  // namespace mm::sidecar
