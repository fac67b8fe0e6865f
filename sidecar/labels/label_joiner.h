#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sidecar/labels/label_batch.h"
#include "sidecar/metrics/accuracy_windows.h"
#include "sidecar/store/prediction_store.h"

namespace mm::sidecar {

// The answer to one label batch (the body of POST /v1/labels):
//   {"received":5,"joined":3,"unknown":1,"expired":0,"duplicate":0,"invalid":1,
//    "errors":[{"index":4,"reason":"labels[4].label: \"cat\" is not a number"}]}
// received = joined + unknown + expired + duplicate + invalid.
struct LabelAnswer {
  int64_t received = 0;
  int64_t joined = 0;
  int64_t unknown = 0;
  int64_t expired = 0;
  int64_t duplicate = 0;
  int64_t invalid = 0;
  std::vector<LabelProblem> errors;  // the first few invalid items

  nlohmann::json ToJson() const;
  static Result<LabelAnswer> FromJson(const nlohmann::json& json);  // for the gateway
  void Add(const LabelAnswer& other);  // sums two answers (the gateway's fan-out)
};

// Joins label batches with the stored predictions and feeds the joins to the
// accuracy metrics. Before joining it drains the prediction queue (`drain`), so
// a label never loses a race with its own prediction inside this sidecar; a
// label whose prediction has not reached the sidecar at all is answered
// `unknown` and held for StoreLimits::early_label_grace (see docs/accuracy.md).
// When Join returns ok, every label counted in the answer is durable.
class LabelJoiner {
 public:
  LabelJoiner(PredictionStore* store, AccuracyWindows* metrics, std::function<void()> drain,
              std::function<metrics::TimeMs()> now, LabelLimits limits);

  // Parses (JSON or NDJSON by content type) and joins. An Error means the batch
  // was refused whole (answer 400 with it) or the store failed (answer 503):
  // `refused` tells which. Nothing of a refused batch is applied.
  Result<LabelAnswer> JoinBody(std::string_view body, std::string_view content_type, bool* refused);
  Result<LabelAnswer> Join(const LabelBatch& batch);

  LabelKind kind() const { return kind_; }

 private:
  PredictionStore* store_;
  AccuracyWindows* metrics_;
  std::function<void()> drain_;
  std::function<metrics::TimeMs()> now_;
  LabelLimits limits_;
  LabelKind kind_;
};

}  // namespace mm::sidecar
