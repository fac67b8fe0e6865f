#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/metrics/request_observation.h"
#include "sidecar/metrics/time_buckets.h"

namespace mm::sidecar {

// Everything the sidecar measures, in two shapes fed by the same calls:
// Prometheus metrics (names modelmonitor_sidecar_*, base units; docs/sidecar.md)
// and the mergeable per-bucket state served as /v1/snapshot. Metric handles are
// created once here; the hot path only adds. Thread-safe.
class SidecarMetrics {
 public:
  SidecarMetrics(std::chrono::seconds bucket_width, size_t bucket_count);

  void RequestStarted() { in_flight_->Increment(); }
  void RequestFinished(const metrics::RequestObservation& o);
  void PredictionRecorded(std::chrono::system_clock::time_point t, uint64_t instances);
  void PredictionDropped(std::chrono::system_clock::time_point t, uint64_t instances);
  // Instances whose output is no number, class or probability row (e.g. text).
  void PredictionNotRecordable(uint64_t instances);
  void ExtractionFailed(std::chrono::system_clock::time_point t);
  // One reading of the model's resources (the snapshot's buckets count them).
  void ResourceRead(std::chrono::system_clock::time_point t) { buckets_.CountResourceReading(t); }

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }
  const TimeBuckets& buckets() const { return buckets_; }
  // Prometheus text exposition format 0.0.4 of everything registered.
  std::string PrometheusText() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  TimeBuckets buckets_;
  prometheus::Counter* responses_[6] = {};
  prometheus::Counter* upstream_unavailable_;
  prometheus::Counter* upstream_timeout_;
  prometheus::Gauge* in_flight_;
  prometheus::Histogram* latency_;
  prometheus::Histogram* ttft_;
  prometheus::Histogram* tokens_per_second_;
  prometheus::Counter* output_tokens_;
  prometheus::Counter* streams_;
  prometheus::Counter* predictions_recorded_;
  prometheus::Counter* predictions_dropped_;
  prometheus::Counter* predictions_not_recordable_;
  prometheus::Counter* extraction_errors_;
};

}  // namespace mm::sidecar
