// NDJSON label uploads come from users through the label gateway: parsing never
// crashes, and whatever it accepts is consistent (tests/fuzz/label_batch_invariants.h).
#include <cstdint>
#include <string_view>

#include "tests/fuzz/label_batch_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm::sidecar::fuzz::CheckLabelParser(
      std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view text, mm::sidecar::LabelKind kind, const mm::sidecar::LabelLimits& l) {
        return mm::sidecar::ParseLabelsNdjson(text, kind, l);
      });
  return 0;
}
