#include "sidecar/protocol/protocol_adapter.h"

#include "sidecar/protocol/generic_json_adapter.h"
#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"

namespace mm::sidecar {

Result<std::unique_ptr<ProtocolAdapter>> MakeProtocolAdapter(const ProtocolConfig& config) {
  if (config.protocol == "open-inference-v2") {
    return std::unique_ptr<ProtocolAdapter>(std::make_unique<OpenInferenceV2Adapter>());
  }
  if (config.protocol == "kserve-v1") {
    return std::unique_ptr<ProtocolAdapter>(std::make_unique<KServeV1Adapter>());
  }
  if (config.protocol == "openai") {
    return std::unique_ptr<ProtocolAdapter>(std::make_unique<OpenAiAdapter>());
  }
  if (config.protocol == "json") {
    auto path = JsonPath::Parse(config.output_path.empty() ? "$" : config.output_path);
    if (!path) return path.error();
    return std::unique_ptr<ProtocolAdapter>(
        std::make_unique<GenericJsonAdapter>(std::move(path.value())));
  }
  return Error{"protocol \"" + config.protocol +
               "\" is not supported (use open-inference-v2, kserve-v1, openai or json)"};
}

}  // namespace mm::sidecar
