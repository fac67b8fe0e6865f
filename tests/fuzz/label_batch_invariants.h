#pragma once

// What every label parser (JSON and NDJSON uploads) must guarantee for any
// input: an error says something; an accepted batch counts every item once and
// holds only labels valid for their kind. Aborts (a fuzzer finding) otherwise.
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "sidecar/labels/label_batch.h"

namespace mm::sidecar::fuzz {

template <typename Parse>
void CheckLabelParser(std::string_view text, Parse parse) {
  LabelLimits limits;
  limits.max_labels = 1000;
  limits.max_classes = 10;
  for (auto kind : {LabelKind::kClass, LabelKind::kNumber}) {
    auto batch = parse(text, kind, limits);
    if (!batch) {
      if (batch.error().message.empty()) std::abort();
      continue;
    }
    if (batch->labels.size() + batch->invalid != batch->received) std::abort();
    if (batch->problems.size() > limits.max_reasons) std::abort();
    for (const auto& l : batch->labels) {
      if (l.id.empty() || l.id.size() > limits.max_id_bytes || !std::isfinite(l.value))
        std::abort();
      if (kind == LabelKind::kClass &&
          (l.value < 0 || l.value >= limits.max_classes || l.value != std::floor(l.value))) {
        std::abort();
      }
    }
  }
}

}  // namespace mm::sidecar::fuzz
