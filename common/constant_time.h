#pragma once

#include <string_view>

namespace mm {

// Whether `a` equals `b`, in time that depends only on their lengths (for
// comparing secrets: bearer tokens, shared secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace mm
