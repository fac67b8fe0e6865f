#pragma once

#include <nlohmann/json.hpp>

#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// The InstanceOutput for one instance's output, whatever its JSON shape (the score
// rule is documented on InstanceOutput::score).
InstanceOutput InstancePrediction(const nlohmann::json& instance);

// Parses a response body without exceptions; an Error names the protocol and the offset.
Result<nlohmann::json> ParseResponseJson(std::string_view body, std::string_view protocol);

}  // namespace mm::sidecar
