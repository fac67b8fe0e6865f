#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.h"
#include "sidecar/labels/label_joiner.h"
#include "sidecar/metrics/accuracy_windows.h"
#include "sidecar/store/prediction_queue.h"
#include "sidecar/store/sqlite_prediction_store.h"

namespace mm::sidecar {

struct GroundTruthOptions {
  SqliteStoreOptions store;
  PredictionQueueOptions queue;
  metrics::AccuracyConfig accuracy;
  LabelLimits labels;
};

// What the admin port answers for POST /v1/labels: 200 with the LabelAnswer,
// 400 {"error": ...} for a refused batch, 507 {"error": ...} when the store's volume
// is full and 503 when the store failed otherwise (nothing acknowledged either way;
// the gateway retries, which idempotency makes safe).
struct LabelHttpAnswer {
  int status = 200;
  nlohmann::json body;
};

// The sidecar's ground-truth side wired together: the durable store, the queue
// the proxy offers predictions to, the label joiner and the accuracy metrics.
// main creates one; the proxy gets sink(); the admin server routes POST
// /v1/labels to PostLabels and GET /v1/snapshot to Snapshot; a timer calls
// Sweep every few seconds. Opening restores the metrics from the store.
class GroundTruth {
 public:
  static Result<std::unique_ptr<GroundTruth>> Open(GroundTruthOptions options,
                                                   std::function<metrics::TimeMs()> now);

  PredictionSink& sink() { return *queue_; }
  LabelHttpAnswer PostLabels(std::string_view body, std::string_view content_type);
  // Expires predictions past maxLabelDelay (counted in the metrics), drops stale
  // tombstones and early labels.
  Status Sweep();
  // New maxPending / maxLabelDelay from a config reload (SqlitePredictionStore::SetLimits).
  void SetStoreLimits(const StoreLimits& limits) { store_->SetLimits(limits); }
  // The accuracy part of /v1/snapshot: buckets starting at or after `since`.
  nlohmann::json Snapshot(metrics::TimeMs since) const;
  // The metrics of the last `window` (for /metrics gauges and status).
  metrics::AccuracyReport Report(metrics::TimeMs window) const;

  struct Counters {
    PredictionTotals predictions;
    StoreStats store;
    StoreHealth::Counts store_health;
  };
  Counters counters() const;

 private:
  GroundTruth() = default;
  std::function<metrics::TimeMs()> now_;
  std::unique_ptr<SqlitePredictionStore> store_;
  std::unique_ptr<AccuracyWindows> metrics_;
  std::unique_ptr<PredictionQueue> queue_;
  std::unique_ptr<LabelJoiner> joiner_;
};

}  // namespace mm::sidecar
