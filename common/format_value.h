#pragma once

#include <optional>
#include <string>

namespace mm {

// A measured value for messages, Events and annotations: short ("0.31", "1.2e+09", four
// significant digits); "unknown" for no value. Status fields keep full precision.
std::string FormatValue(double v);
std::string FormatValue(const std::optional<double>& v);

}  // namespace mm
