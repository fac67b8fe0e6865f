#pragma once

#include <prometheus/registry.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "common/metrics/resource_reading.h"
#include "sidecar/resources/nvml_gpus.h"
#include "sidecar/resources/process_usage.h"

namespace mm::sidecar {

struct ResourceSamplerOptions {
  std::string proc_root = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";
  pid_t model_pid = 0;  // 0: the process listening on model_port
  uint16_t model_port = 8000;
  std::chrono::milliseconds interval{5000};
  std::string nvml_library = "libnvidia-ml.so.1";
};

// Samples the model's resource use every interval on its own thread and publishes
// it as gauges (modelmonitor_sidecar_model_*, modelmonitor_sidecar_gpu_*) and as
// the "resources" object of /v1/snapshot. A metric whose source is missing (no
// shared process namespace, cgroup v1, no GPU) is absent, never zero.
class ResourceSampler {
 public:
  ResourceSampler(ResourceSamplerOptions options, prometheus::Registry& registry);
  ~ResourceSampler();

  void Start();
  void Stop();
  // Called (on the sampler's thread) after every sample that read something;
  // set before Start. The sidecar counts readings per snapshot bucket with it.
  void OnReading(std::function<void()> f) { on_reading_ = std::move(f); }
  // One sample now (the thread calls this; tests call it directly).
  void SampleOnce();
  metrics::ResourceReading Latest() const;

 private:
  struct Gauges;
  ResourceSamplerOptions options_;
  prometheus::Registry& registry_;
  std::unique_ptr<Gauges> gauges_;
  std::unique_ptr<NvmlGpus> gpus_;
  pid_t pid_ = 0;
  std::optional<double> last_cpu_seconds_;
  std::chrono::steady_clock::time_point last_time_;
  bool warned_ = false;
  std::function<void()> on_reading_;

  mutable std::mutex mu_;
  metrics::ResourceReading latest_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mm::sidecar
