#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace mm::api {

// A Kubernetes resource quantity as written in the spec ("100m", "0.5", "64Mi", "1G", "2e3"),
// kept as its text (the webhook copies it into the pod unchanged) with its value in base units
// (cores, bytes). Negative quantities are not accepted: they are never a valid resource amount.
struct Quantity {
  std::string text;
  double value = 0;  // base units: 100m -> 0.1, 64Mi -> 67108864

  bool operator==(const Quantity&) const = default;
};

// Parses the Kubernetes quantity grammar without a sign:
// <number>[<binary suffix Ki..Ei> | <decimal suffix n u m k M G T P E> | e<exponent>].
Result<Quantity> ParseQuantity(std::string_view text);

}  // namespace mm::api
