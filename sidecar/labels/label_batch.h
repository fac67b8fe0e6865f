#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/accuracy_config.h"
#include "common/metrics/prediction.h"
#include "common/result.h"

namespace mm::sidecar {

// What a label may be, from the monitor's groundTruth.task.
enum class LabelKind {
  kClass,   // classification: an integer class index 0..max_classes-1
  kNumber,  // regression: any finite number
};

struct LabelLimits {
  size_t max_body_bytes = 16 << 20;  // a batch larger than this is refused whole
  size_t max_labels = 100000;        // items (JSON array entries or NDJSON lines) per batch
  size_t max_id_bytes = 256;
  int max_classes = metrics::kMaxClasses;
  size_t max_reasons = 10;  // the answer lists the first few invalid items
};

// An item that was refused, and why.
struct LabelProblem {
  size_t index = 0;  // position in the batch (NDJSON: the line number, from 1)
  std::string reason;
};

// A parsed batch. Structural problems (not JSON, no "labels" array, over the
// limits) refuse the whole batch: the parse returns an Error and nothing is
// applied. An item that is wrong on its own (no id, a label that is not a class)
// is counted in `invalid`, its reason kept if among the first few, and the rest
// of the batch goes on.
struct LabelBatch {
  std::vector<metrics::Label> labels;  // the valid items, in order
  size_t received = 0;                 // items in the batch, valid or not
  size_t invalid = 0;
  std::vector<LabelProblem> problems;  // the first LabelLimits::max_reasons invalid items
};

// {"labels":[{"id":"req-1","label":1}, ...]}. A label is a JSON number, a string
// holding a number ("1", "0.25"), or true/false (1/0).
Result<LabelBatch> ParseLabelsJson(std::string_view body, LabelKind kind,
                                   const LabelLimits& limits);
// One {"id":"req-1","label":1} object per line; blank lines are skipped. A line
// that is not a JSON object is an invalid item, not a refused batch, so that one
// bad line of a large upload does not lose the rest.
Result<LabelBatch> ParseLabelsNdjson(std::string_view body, LabelKind kind,
                                     const LabelLimits& limits);

// Which parser a Content-Type selects: NDJSON for application/x-ndjson,
// application/ndjson or application/jsonl; JSON otherwise.
bool IsNdjsonContentType(std::string_view content_type);

}  // namespace mm::sidecar
