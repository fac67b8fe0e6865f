// NDJSON label uploads come from users through the label gateway: parsing never
// crashes, and whatever it accepts is consistent (every item counted once,
// every accepted label valid for its kind).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sidecar/labels/label_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  mm::sidecar::LabelLimits limits;
  limits.max_labels = 1000;
  limits.max_classes = 10;
  for (auto kind : {mm::sidecar::LabelKind::kClass, mm::sidecar::LabelKind::kNumber}) {
    auto batch = mm::sidecar::ParseLabelsNdjson(text, kind, limits);
    if (!batch) {
      if (batch.error().message.empty()) std::abort();
      continue;
    }
    if (batch->labels.size() + batch->invalid != batch->received) std::abort();
    if (batch->problems.size() > limits.max_reasons) std::abort();
    for (const auto& l : batch->labels) {
      if (l.id.empty() || l.id.size() > limits.max_id_bytes || !std::isfinite(l.value))
        std::abort();
      if (kind == mm::sidecar::LabelKind::kClass &&
          (l.value < 0 || l.value >= limits.max_classes || l.value != std::floor(l.value))) {
        std::abort();
      }
    }
  }
  return 0;
}
