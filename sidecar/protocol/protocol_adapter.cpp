#include "sidecar/protocol/protocol_adapter.h"

#include "sidecar/protocol/generic_json_adapter.h"
#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"

namespace mm::sidecar {

Result<std::unique_ptr<ProtocolAdapter>> MakeProtocolAdapter(const ProtocolConfig& config) {
  switch (config.protocol) {
    case api::Protocol::kOpenInferenceV2:
      return std::unique_ptr<ProtocolAdapter>(std::make_unique<OpenInferenceV2Adapter>());
    case api::Protocol::kKServeV1:
      return std::unique_ptr<ProtocolAdapter>(std::make_unique<KServeV1Adapter>());
    case api::Protocol::kOpenAI:
      return std::unique_ptr<ProtocolAdapter>(std::make_unique<OpenAiAdapter>());
    case api::Protocol::kJson: {
      auto path = JsonPath::Parse(config.output_path.empty() ? "$" : config.output_path);
      if (!path) return path.error();
      return std::unique_ptr<ProtocolAdapter>(
          std::make_unique<GenericJsonAdapter>(std::move(path.value())));
    }
  }
  return Error{"protocol " + std::to_string(static_cast<int>(config.protocol)) + " is not one of " +
               api::AllowedValues<api::Protocol>()};
}

}  // namespace mm::sidecar
