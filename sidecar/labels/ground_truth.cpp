#include "sidecar/labels/ground_truth.h"

#include <utility>

#include "common/log.h"

namespace mm::sidecar {

Result<std::unique_ptr<GroundTruth>> GroundTruth::Open(GroundTruthOptions options,
                                                       std::function<metrics::TimeMs()> now) {
  std::unique_ptr<GroundTruth> gt(new GroundTruth());
  gt->now_ = std::move(now);
  auto store = SqlitePredictionStore::Open(options.store);
  if (!store) return store.error();
  gt->store_ = std::move(store).value();
  gt->metrics_ = std::make_unique<AccuracyWindows>(options.accuracy);
  if (auto s = gt->metrics_->RestoreJoins(*gt->store_, gt->now_()); !s) return s.error();
  AccuracyWindows* metrics = gt->metrics_.get();
  std::function<metrics::TimeMs()> clock = gt->now_;
  gt->queue_ = std::make_unique<PredictionQueue>(
      gt->store_.get(), clock, options.queue,
      [metrics, clock](std::span<const metrics::Prediction> batch, const PutResult& result) {
        metrics->RecordWritten(batch, result, clock());
      });
  PredictionQueue* queue = gt->queue_.get();
  gt->joiner_ = std::make_unique<LabelJoiner>(
      gt->store_.get(), metrics, [queue] { queue->Flush(); }, clock, options.labels);
  const StoreStats stats = gt->store_->Stats();
  log::Info("prediction store opened", {{"path", options.store.path},
                                        {"pending", stats.pending},
                                        {"resolved", stats.resolved},
                                        {"early_labels", stats.early_labels}});
  return gt;
}

LabelHttpAnswer GroundTruth::PostLabels(std::string_view body, std::string_view content_type) {
  bool refused = false;
  auto answer = joiner_->JoinBody(body, content_type, &refused);
  if (answer) return {200, answer->ToJson()};
  if (refused) return {400, {{"error", answer.error().message}}};
  // The store failed: its health logged it (once) and counted it.
  if (store_->health().counts().full) {
    return {507,
            {{"error", answer.error().message +
                           ": the prediction store's volume is full; no label of this batch "
                           "was stored: post it again once space is freed"}}};
  }
  return {503, {{"error", answer.error().message + ": no label of this batch was stored"}}};
}

Status GroundTruth::Sweep() {
  const metrics::TimeMs now = now_();
  auto swept = store_->Sweep(now);
  if (!swept) return swept.error();
  metrics_->RecordExpired(swept->expired, now);
  return OkStatus();
}

nlohmann::json GroundTruth::Snapshot(metrics::TimeMs since) const {
  return ToJson(metrics_->Snapshot(since));
}

metrics::AccuracyReport GroundTruth::Report(metrics::TimeMs window) const {
  const metrics::TimeMs now = now_();
  return metrics_->Snapshot(now - window).Report(now - window, now + 1);
}

GroundTruth::Counters GroundTruth::counters() const {
  const PredictionTotals totals{queue_->dropped(), queue_->write_errors(),
                                metrics_->evicted_total(), metrics_->expired_total()};
  return {totals, store_->Stats(), store_->health().counts()};
}

}  // namespace mm::sidecar
