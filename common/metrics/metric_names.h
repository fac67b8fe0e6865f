#pragma once

// The names of every Prometheus series the two binaries export, declared once: the
// sidecar and the operator register them from here, the operator's PrometheusRule
// generation writes its PromQL with them, and the tests check the chart's rules and
// dashboard and the docs' metric tables against All().
#include <string>
#include <string_view>
#include <vector>

namespace mm::metrics::names {

// The sidecar's data path (sidecar/metrics/sidecar_metrics.cpp).
inline constexpr char kSidecarRequestsTotal[] = "modelmonitor_sidecar_requests_total";
inline constexpr char kSidecarUpstreamErrorsTotal[] = "modelmonitor_sidecar_upstream_errors_total";
inline constexpr char kSidecarRequestsInFlight[] = "modelmonitor_sidecar_requests_in_flight";
inline constexpr char kSidecarRequestDurationSeconds[] =
    "modelmonitor_sidecar_request_duration_seconds";
inline constexpr char kSidecarTimeToFirstTokenSeconds[] =
    "modelmonitor_sidecar_time_to_first_token_seconds";
inline constexpr char kSidecarStreamTokensPerSecond[] =
    "modelmonitor_sidecar_stream_tokens_per_second";
inline constexpr char kSidecarOutputTokensTotal[] = "modelmonitor_sidecar_output_tokens_total";
inline constexpr char kSidecarStreamsTotal[] = "modelmonitor_sidecar_streams_total";
inline constexpr char kSidecarPredictionsTotal[] = "modelmonitor_sidecar_predictions_total";
inline constexpr char kSidecarExtractionErrorsTotal[] =
    "modelmonitor_sidecar_extraction_errors_total";

// The model's resources (sidecar/resources/resource_sampler.cpp).
inline constexpr char kSidecarModelCpuSecondsTotal[] =
    "modelmonitor_sidecar_model_cpu_seconds_total";
inline constexpr char kSidecarModelCpuCores[] = "modelmonitor_sidecar_model_cpu_cores";
inline constexpr char kSidecarModelResidentMemoryBytes[] =
    "modelmonitor_sidecar_model_resident_memory_bytes";
inline constexpr char kSidecarModelWorkingSetBytes[] =
    "modelmonitor_sidecar_model_working_set_bytes";
inline constexpr char kSidecarGpuUtilizationRatio[] = "modelmonitor_sidecar_gpu_utilization_ratio";
inline constexpr char kSidecarGpuMemoryUsedBytes[] = "modelmonitor_sidecar_gpu_memory_used_bytes";
inline constexpr char kSidecarGpuMemoryTotalBytes[] = "modelmonitor_sidecar_gpu_memory_total_bytes";

// The sidecar's configuration (sidecar/config_reloader.cpp).
inline constexpr char kSidecarConfigReloadsTotal[] = "modelmonitor_sidecar_config_reloads_total";
inline constexpr char kSidecarConfigGeneration[] = "modelmonitor_sidecar_config_generation";
inline constexpr char kSidecarConfigInfo[] = "modelmonitor_sidecar_config_info";
inline constexpr char kSidecarConfigRestartRequired[] =
    "modelmonitor_sidecar_config_restart_required";

// The sidecar's prediction store (sidecar/metrics/accuracy_gauges.cpp).
inline constexpr char kPredictionsDroppedTotal[] = "modelmonitor_predictions_dropped_total";
inline constexpr char kPredictionWriteErrorsTotal[] = "modelmonitor_prediction_write_errors_total";
inline constexpr char kPredictionsEvictedTotal[] = "modelmonitor_predictions_evicted_total";
inline constexpr char kPredictionsExpiredTotal[] = "modelmonitor_predictions_expired_total";
inline constexpr char kPredictionsPending[] = "modelmonitor_predictions_pending";
inline constexpr char kStoreErrorsTotal[] = "modelmonitor_store_errors_total";
inline constexpr char kStoreDegraded[] = "modelmonitor_store_degraded";

// The accuracy gauges: one per value of AccuracyReport (AccuracyReport::All() names
// them), with a `window` label: modelmonitor_accuracy, modelmonitor_labeled_samples...
std::string AccuracyGauge(std::string_view report_name);

// The operator (operator/metrics/operator_metrics.cpp).
inline constexpr char kReconcileTotal[] = "modelmonitor_reconcile_total";
inline constexpr char kReconcileErrorsTotal[] = "modelmonitor_reconcile_errors_total";
inline constexpr char kReconcileDurationSeconds[] = "modelmonitor_reconcile_duration_seconds";
inline constexpr char kWatchRestartsTotal[] = "modelmonitor_watch_restarts_total";
inline constexpr char kRelistsTotal[] = "modelmonitor_relists_total";
inline constexpr char kWorkqueueDepth[] = "modelmonitor_workqueue_depth";
inline constexpr char kLeader[] = "modelmonitor_leader";
inline constexpr char kInformerCachedObjects[] = "modelmonitor_informer_cached_objects";
inline constexpr char kEventsDroppedTotal[] = "modelmonitor_events_dropped_total";

// Every name above, the accuracy gauges included.
std::vector<std::string> All();

}  // namespace mm::metrics::names
