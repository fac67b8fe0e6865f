// Label uploads reach the operator's gateway from users before any sidecar sees
// them: the whole-batch check never crashes, refuses with a message, and never
// accepts a batch with no labels or more than the limit. The first byte picks
// the content type, so both formats are explored.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "operator/endpoints/label_gateway.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kTypes[] = {"application/json", "application/x-ndjson",
                                                "application/jsonl; charset=utf-8", "",
                                                "text/plain"};
  const std::string_view type = kTypes[data[0] % 5];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  mm::op::LabelBatchLimits limits;
  limits.max_labels = 100;
  auto batch = mm::op::CheckLabelBatch(body, type, limits);
  if (!batch) {
    if (batch.error().message.empty()) std::abort();
    return 0;
  }
  if (batch->labels == 0 || batch->labels > limits.max_labels) std::abort();
  if (batch->content_type != "application/json" && batch->content_type != "application/x-ndjson")
    std::abort();
  return 0;
}
