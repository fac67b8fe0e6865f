#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "sidecar/protocol/protocol_adapter.h"

namespace mm::sidecar {

// The InstanceOutput for one instance's output, whatever its JSON shape (the score
// rule is documented on InstanceOutput::score).
InstanceOutput InstancePrediction(const nlohmann::json& instance);

// InstancePrediction of rows cut from a flat array (Open Inference Protocol
// `data` with a `shape`), without building each row as a JSON array: one
// serializer (and its scratch text) serves every row of a response. Same output
// as InstancePrediction of the row as an array.
class InstanceRowWriter {
 public:
  InstanceRowWriter();
  // The row flat[first, first + width); `flat` is an array at least that long.
  InstanceOutput Row(const nlohmann::json& flat, size_t first, size_t width);

 private:
  std::string scratch_;
  nlohmann::detail::serializer<nlohmann::json> serializer_;
};

}  // namespace mm::sidecar
