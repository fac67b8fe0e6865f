#include "sidecar/metrics/sidecar_metrics.h"

#include <prometheus/text_serializer.h>

#include "common/metrics/metric_names.h"

namespace mm::sidecar {

namespace {

// Coarse fixed buckets for Prometheus; the exact quantiles come from the
// snapshot's LogHistogram.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
const prometheus::Histogram::BucketBoundaries kTokenRateBuckets = {1,  2,   5,   10,  20,
                                                                   50, 100, 200, 500, 1000};

}  // namespace

SidecarMetrics::SidecarMetrics(std::chrono::seconds bucket_width, size_t bucket_count)
    : registry_(std::make_shared<prometheus::Registry>()), buckets_(bucket_width, bucket_count) {
  auto& responses = prometheus::BuildCounter()
                        .Name(metrics::names::kSidecarRequestsTotal)
                        .Help("Requests answered through the sidecar, by status class")
                        .Register(*registry_);
  const char* classes[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
  for (int i = 1; i <= 5; ++i) responses_[i] = &responses.Add({{"code", classes[i]}});
  auto& upstream =
      prometheus::BuildCounter()
          .Name(metrics::names::kSidecarUpstreamErrorsTotal)
          .Help("Requests the model did not answer: unavailable (502) or timeout (504)")
          .Register(*registry_);
  upstream_unavailable_ = &upstream.Add({{"reason", "unavailable"}});
  upstream_timeout_ = &upstream.Add({{"reason", "timeout"}});
  in_flight_ = &prometheus::BuildGauge()
                    .Name(metrics::names::kSidecarRequestsInFlight)
                    .Help("Requests being proxied now")
                    .Register(*registry_)
                    .Add({});
  latency_ = &prometheus::BuildHistogram()
                  .Name(metrics::names::kSidecarRequestDurationSeconds)
                  .Help("Time from the request head to the last response byte sent")
                  .Register(*registry_)
                  .Add({}, kLatencyBuckets);
  ttft_ = &prometheus::BuildHistogram()
               .Name(metrics::names::kSidecarTimeToFirstTokenSeconds)
               .Help("Streamed responses: time from the request to the first token")
               .Register(*registry_)
               .Add({}, kLatencyBuckets);
  tokens_per_second_ = &prometheus::BuildHistogram()
                            .Name(metrics::names::kSidecarStreamTokensPerSecond)
                            .Help("Streamed responses: output tokens per second after the first")
                            .Register(*registry_)
                            .Add({}, kTokenRateBuckets);
  output_tokens_ = &prometheus::BuildCounter()
                        .Name(metrics::names::kSidecarOutputTokensTotal)
                        .Help("Output tokens generated (OpenAI protocol)")
                        .Register(*registry_)
                        .Add({});
  streams_ = &prometheus::BuildCounter()
                  .Name(metrics::names::kSidecarStreamsTotal)
                  .Help("Responses streamed as Server-Sent Events")
                  .Register(*registry_)
                  .Add({});
  auto& predictions =
      prometheus::BuildCounter()
          .Name(metrics::names::kSidecarPredictionsTotal)
          .Help(
              "Prediction records (one per instance): recorded, or dropped "
              "because the prediction queue was full, or not_recordable (no number, class or "
              "probability row, e.g. text)")
          .Register(*registry_);
  predictions_recorded_ = &predictions.Add({{"result", "recorded"}});
  predictions_dropped_ = &predictions.Add({{"result", "dropped"}});
  predictions_not_recordable_ = &predictions.Add({{"result", "not_recordable"}});
  extraction_errors_ = &prometheus::BuildCounter()
                            .Name(metrics::names::kSidecarExtractionErrorsTotal)
                            .Help(
                                "Model responses in which the protocol adapter found no "
                                "prediction (malformed or unexpected shape)")
                            .Register(*registry_)
                            .Add({});
}

void SidecarMetrics::RequestFinished(const metrics::RequestObservation& o) {
  in_flight_->Decrement();
  const int cls = o.status / 100;
  if (cls >= 1 && cls <= 5) responses_[cls]->Increment();
  if (o.upstream_unavailable) upstream_unavailable_->Increment();
  if (o.upstream_timeout) upstream_timeout_->Increment();
  latency_->Observe(o.latency_seconds);
  if (o.stream) streams_->Increment();
  if (o.ttft_seconds) ttft_->Observe(*o.ttft_seconds);
  if (o.tokens_per_second) tokens_per_second_->Observe(*o.tokens_per_second);
  if (o.output_tokens > 0) output_tokens_->Increment(static_cast<double>(o.output_tokens));
  buckets_.Record(o);
}

void SidecarMetrics::PredictionRecorded(std::chrono::system_clock::time_point t,
                                        uint64_t instances) {
  predictions_recorded_->Increment(static_cast<double>(instances));
  buckets_.CountPredictions(t, true, instances);
}

void SidecarMetrics::PredictionDropped(std::chrono::system_clock::time_point t,
                                       uint64_t instances) {
  predictions_dropped_->Increment(static_cast<double>(instances));
  buckets_.CountPredictions(t, false, instances);
}

void SidecarMetrics::PredictionNotRecordable(uint64_t instances) {
  predictions_not_recordable_->Increment(static_cast<double>(instances));
}

void SidecarMetrics::ExtractionFailed(std::chrono::system_clock::time_point t) {
  extraction_errors_->Increment();
  buckets_.CountExtractionError(t);
}

std::string SidecarMetrics::PrometheusText() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace mm::sidecar
