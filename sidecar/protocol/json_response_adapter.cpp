#include "sidecar/protocol/json_response_adapter.h"

#include <string>

namespace mm::sidecar {

Result<Extraction> JsonResponseAdapter::Extract(std::string_view body) const {
  std::optional<nlohmann::json> response = selection_.Parse(body);
  if (!response) {
    return Error{std::string(name()) + ": the model response is not valid JSON (" +
                 std::to_string(body.size()) + " bytes)"};
  }
  return ExtractFrom(*response);
}

}  // namespace mm::sidecar
