#include "sidecar/proxy/serving_config.h"

namespace mm::sidecar {

Result<std::shared_ptr<const ServingConfig>> MakeServingConfig(const RequestSettings& requests,
                                                               const ProtocolConfig& protocol) {
  auto adapter = MakeProtocolAdapter(protocol);
  if (!adapter) return adapter.error();
  auto config = std::make_shared<ServingConfig>();
  config->requests = requests;
  config->adapter = std::move(adapter.value());
  return std::shared_ptr<const ServingConfig>(std::move(config));
}

}  // namespace mm::sidecar
