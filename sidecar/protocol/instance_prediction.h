#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// The InstanceOutput for one instance's output, whatever its JSON shape.
InstanceOutput InstancePrediction(const nlohmann::json& instance);

// InstancePrediction of the row flat[first, first + width) cut from a flat array
// (Open Inference Protocol `data` with a `shape`), without building the row as a
// JSON array; `flat` is an array at least that long.
InstanceOutput InstanceRow(const nlohmann::json& flat, size_t first, size_t width);

}  // namespace mm::sidecar
