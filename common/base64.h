#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace mm {

// Standard base64 (RFC 4648 section 4) with padding; whitespace is skipped on decode.
std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mm
