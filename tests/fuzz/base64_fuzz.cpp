// Base64 is decoded from kubeconfigs and Secrets: decoding never crashes, and
// whatever decodes re-encodes and decodes to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = mm::Base64Decode(text);
  if (decoded) {
    auto again = mm::Base64Decode(mm::Base64Encode(decoded.value()));
    if (!again || again.value() != decoded.value()) std::abort();
  }
  return 0;
}
