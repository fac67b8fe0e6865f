#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/result.h"

namespace mm::metrics {

struct GpuReading {
  int64_t index = 0;
  double utilization = 0;  // 0..1
  uint64_t memory_used_bytes = 0;
  uint64_t memory_total_bytes = 0;

  bool operator==(const GpuReading&) const = default;
};

// The model's resource use as a sidecar last read it: the "resources" object of
// /v1/snapshot (docs/sidecar.md). A value whose source is missing (the model's
// process not found, cgroup v1, no GPU) is absent, never zero.
struct ResourceReading {
  std::optional<int64_t> pid;
  std::optional<int64_t> processes;
  std::optional<double> cpu_seconds_total;
  std::optional<double> cpu_cores;  // since the reading before
  std::optional<uint64_t> resident_memory_bytes;
  std::optional<uint64_t> working_set_bytes;    // the container's cgroup, when visible
  std::optional<std::vector<GpuReading>> gpus;  // set when GPU metrics are on

  bool empty() const { return *this == ResourceReading{}; }
  // workingSetBytes when known (what the kubelet counts), else residentMemoryBytes.
  std::optional<double> memory_bytes() const;
  // Over the GPUs: the mean utilization, the summed memory used; nullopt without any.
  std::optional<double> gpu_utilization() const;
  std::optional<double> gpu_memory_bytes() const;

  nlohmann::json ToJson() const;
  // Checks what it reads: a field of the wrong type is an Error naming it.
  static Result<ResourceReading> FromJson(const nlohmann::json& j);
  bool operator==(const ResourceReading&) const = default;
};

}  // namespace mm::metrics
