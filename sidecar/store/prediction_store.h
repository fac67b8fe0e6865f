#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/metrics/prediction.h"
#include "common/result.h"

namespace mm::sidecar {

// How long and how many predictions wait for their labels.
struct StoreLimits {
  int64_t max_pending = 1000000;  // unlabelled predictions kept; oldest evicted beyond
  metrics::TimeMs max_label_delay =
      24 * 3600 * 1000;  // an unlabelled prediction expires after this
  // A label for an id the store has not seen yet is held this long, in case its
  // prediction is still on its way (the race; see docs/accuracy.md).
  metrics::TimeMs early_label_grace = 60 * 1000;
  int64_t max_early_labels = 10000;  // bound on held early labels; oldest dropped beyond
};

// What happened to one label.
enum class LabelOutcome {
  kJoined,     // its prediction was pending: joined now
  kDuplicate,  // its prediction already had a label (the first one counts)
  kExpired,    // its prediction was dropped: past max_label_delay or evicted by max_pending
  kUnknown,    // no prediction with this id (held for early_label_grace, see above)
};

struct ApplyLabelsResult {
  std::vector<LabelOutcome> outcomes;        // one per label, in order
  std::vector<metrics::JoinedLabel> joined;  // the joins, for the metrics
  int64_t expired_now = 0;  // pending predictions found past max_label_delay (not swept yet)
};

struct PutResult {
  int64_t written = 0;        // new predictions stored
  std::vector<bool> stored;   // per prediction: true if new, false if its id was stored
  int64_t duplicate_ids = 0;  // ids already stored: ignored
  int64_t evicted = 0;        // pending predictions evicted by max_pending (unlabelled)
  std::vector<metrics::JoinedLabel> early;  // predictions joined with labels that came first
};

struct SweepResult {
  int64_t expired = 0;               // pending predictions older than max_label_delay
  int64_t early_labels_dropped = 0;  // held labels whose prediction never came
};

// Predictions that got no label, as totals since the sidecar started (the
// counters modelmonitor_predictions_*_total on /metrics).
struct PredictionTotals {
  int64_t dropped = 0;       // the store's queue was full
  int64_t write_errors = 0;  // the store refused their batch
  int64_t evicted = 0;       // pushed out by maxPending before their label came
  int64_t expired = 0;       // no label within maxLabelDelay
};

struct StoreStats {
  int64_t pending = 0;       // predictions waiting for a label
  int64_t resolved = 0;      // labelled, expired or evicted rows kept to answer late labels
  int64_t early_labels = 0;  // labels held for predictions not seen yet
};

// Keeps each prediction until its label arrives or max_label_delay passes,
// bounded by max_pending, and durable: when a call returns ok, what it wrote
// survives the process being killed (kill -9). Thread-safe.
//
// After a prediction is resolved (labelled, expired, evicted) its row stays as
// a tombstone for another max_label_delay so that a late or repeated label is
// answered `expired` or `duplicate` rather than `unknown`; tombstones are
// bounded too (oldest removed first), so the store never holds more than
// 2 x max_pending predictions.
class PredictionStore {
 public:
  virtual ~PredictionStore() = default;

  // Stores a batch in one durable write. Joins any held early labels.
  virtual Result<PutResult> Put(std::span<const metrics::Prediction> predictions,
                                metrics::TimeMs now) = 0;
  // Joins a batch of labels in one durable write: acknowledged once this returns ok.
  virtual Result<ApplyLabelsResult> ApplyLabels(std::span<const metrics::Label> labels,
                                                metrics::TimeMs now) = 0;
  // Expires pending predictions older than max_label_delay, drops stale tombstones
  // and early labels. Call periodically (every few seconds).
  virtual Result<SweepResult> Sweep(metrics::TimeMs now) = 0;
  virtual StoreStats Stats() const = 0;
  // Every joined prediction still stored whose label arrived at or after `since`,
  // oldest join first: how the metrics are rebuilt after a restart.
  virtual Status ForEachJoined(metrics::TimeMs since,
                               const std::function<void(const metrics::JoinedLabel&)>& fn) = 0;
};

}  // namespace mm::sidecar
