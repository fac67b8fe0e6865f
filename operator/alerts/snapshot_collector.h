#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics/accuracy_snapshot.h"
#include "common/metrics/sidecar_snapshot.h"
#include "operator/alerts/snapshot_fetcher.h"

namespace mm::op {

struct PodSnapshot {
  std::string pod;
  metrics::SidecarSnapshot requests;                  // latency, errors, TTFT, resources
  std::optional<metrics::AccuracySnapshot> accuracy;  // with groundTruth
};

struct PodFailure {
  std::string pod;
  std::string reason;
};

// What one round of pulling a monitor's sidecars gave: every asked pod is either
// in `snapshots` or in `failed`, never dropped.
struct Collection {
  std::vector<PodSnapshot> snapshots;
  std::vector<PodFailure> failed;  // did not answer, or answered something unreadable
  int asked() const { return static_cast<int>(snapshots.size() + failed.size()); }
};

// Pulls /v1/snapshot from many sidecars at once, at most `concurrency` at a
// time, and parses each answer with the sidecar's own readers (Snapshot::FromJson,
// AccuracySnapshotFromJson), so operator and sidecar agree on one format.
class SnapshotCollector {
 public:
  SnapshotCollector(SnapshotFetcher& fetcher, int concurrency)
      : fetcher_(fetcher), concurrency_(concurrency < 1 ? 1 : concurrency) {}

  // Results keep the order of `endpoints`.
  Collection Collect(const std::vector<SidecarEndpoint>& endpoints, int64_t since_unix,
                     const std::string& bearer_token);

 private:
  SnapshotFetcher& fetcher_;
  const int concurrency_;
};

}  // namespace mm::op
