#include "common/metrics/metric_names.h"

#include "common/metrics/accuracy_report.h"

namespace mm::metrics::names {

std::string AccuracyGauge(std::string_view report_name) {
  return "modelmonitor_" + std::string(report_name);
}

std::vector<std::string> All() {
  std::vector<std::string> all = {kSidecarRequestsTotal,
                                  kSidecarUpstreamErrorsTotal,
                                  kSidecarRequestsInFlight,
                                  kSidecarRequestDurationSeconds,
                                  kSidecarTimeToFirstTokenSeconds,
                                  kSidecarStreamTokensPerSecond,
                                  kSidecarOutputTokensTotal,
                                  kSidecarStreamsTotal,
                                  kSidecarPredictionsTotal,
                                  kSidecarExtractionErrorsTotal,
                                  kSidecarModelCpuSecondsTotal,
                                  kSidecarModelCpuCores,
                                  kSidecarModelResidentMemoryBytes,
                                  kSidecarModelWorkingSetBytes,
                                  kSidecarGpuUtilizationRatio,
                                  kSidecarGpuMemoryUsedBytes,
                                  kSidecarGpuMemoryTotalBytes,
                                  kSidecarConfigReloadsTotal,
                                  kSidecarConfigGeneration,
                                  kSidecarConfigInfo,
                                  kSidecarConfigRestartRequired,
                                  kPredictionsDroppedTotal,
                                  kPredictionWriteErrorsTotal,
                                  kPredictionsEvictedTotal,
                                  kPredictionsExpiredTotal,
                                  kPredictionsPending,
                                  kStoreErrorsTotal,
                                  kStoreDegraded,
                                  kReconcileTotal,
                                  kReconcileErrorsTotal,
                                  kReconcileDurationSeconds,
                                  kWatchRestartsTotal,
                                  kRelistsTotal,
                                  kWorkqueueDepth,
                                  kLeader,
                                  kInformerCachedObjects,
                                  kEventsDroppedTotal};
  for (const auto& [name, unused] : AccuracyReport{}.All()) all.push_back(AccuracyGauge(name));
  return all;
}

}  // namespace mm::metrics::names
