#include "sidecar/protocol/json_response_adapter.h"

#include <string>

namespace mm::sidecar {

Result<Extraction> JsonResponseAdapter::Extract(std::string_view body) const {
  Result<nlohmann::json> response = selection_.Parse(body);
  if (!response) return Error{std::string(name()) + ": " + response.error().message};
  return ExtractFrom(*response);
}

}  // namespace mm::sidecar
