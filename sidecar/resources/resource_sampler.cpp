#include "sidecar/resources/resource_sampler.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "common/log.h"
#include "common/metrics/metric_names.h"

namespace mm::sidecar {

struct ResourceSampler::Gauges {
  prometheus::Family<prometheus::Counter>* cpu_seconds;
  prometheus::Family<prometheus::Gauge>* cpu_cores;
  prometheus::Family<prometheus::Gauge>* resident;
  prometheus::Family<prometheus::Gauge>* working_set;
  prometheus::Family<prometheus::Gauge>* gpu_util;
  prometheus::Family<prometheus::Gauge>* gpu_used;
  prometheus::Family<prometheus::Gauge>* gpu_total;
};

ResourceSampler::ResourceSampler(ResourceSamplerOptions options, prometheus::Registry& registry)
    : options_(std::move(options)), registry_(registry), gauges_(std::make_unique<Gauges>()) {
  gauges_->cpu_seconds = &prometheus::BuildCounter()
                              .Name(metrics::names::kSidecarModelCpuSecondsTotal)
                              .Help("CPU time used by the model process and its children")
                              .Register(registry_);
  gauges_->cpu_cores = &prometheus::BuildGauge()
                            .Name(metrics::names::kSidecarModelCpuCores)
                            .Help("CPU cores the model used over the last sample period")
                            .Register(registry_);
  gauges_->resident = &prometheus::BuildGauge()
                           .Name(metrics::names::kSidecarModelResidentMemoryBytes)
                           .Help("Resident memory (VmRSS) of the model process and its children")
                           .Register(registry_);
  gauges_->working_set = &prometheus::BuildGauge()
                              .Name(metrics::names::kSidecarModelWorkingSetBytes)
                              .Help(
                                  "Working set of the model's cgroup v2 (memory.current "
                                  "minus inactive_file, as the kubelet computes it)")
                              .Register(registry_);
  gauges_->gpu_util = &prometheus::BuildGauge()
                           .Name(metrics::names::kSidecarGpuUtilizationRatio)
                           .Help("Share of time a kernel ran on the GPU (NVML), 0..1")
                           .Register(registry_);
  gauges_->gpu_used = &prometheus::BuildGauge()
                           .Name(metrics::names::kSidecarGpuMemoryUsedBytes)
                           .Help("GPU memory in use (NVML)")
                           .Register(registry_);
  gauges_->gpu_total = &prometheus::BuildGauge()
                            .Name(metrics::names::kSidecarGpuMemoryTotalBytes)
                            .Help("GPU memory installed (NVML)")
                            .Register(registry_);
  gpus_ = NvmlGpus::Load(options_.nvml_library);
  if (!gpus_->available()) log::Info("gpu metrics off", {{"reason", gpus_->why_unavailable()}});
}

ResourceSampler::~ResourceSampler() { Stop(); }

void ResourceSampler::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      SampleOnce();
      lock.lock();
      wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
    }
  });
}

void ResourceSampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ResourceSampler::SampleOnce() {
  metrics::ResourceReading sample;
  const auto now = std::chrono::steady_clock::now();
  if (pid_ == 0) {
    if (options_.model_pid != 0) {
      pid_ = options_.model_pid;
    } else {
      auto found = FindListeningProcess(options_.proc_root, options_.model_port);
      if (found) {
        pid_ = *found;
      } else if (!warned_) {
        warned_ = true;
        log::Warning("model process not found; cpu and memory metrics absent until it is",
                     {{"reason", found.error().message}});
      }
    }
  }
  if (pid_ != 0) {
    auto usage = ReadProcessTreeUsage(options_.proc_root, pid_);
    if (!usage) {
      pid_ = 0;  // the model restarted: look it up again next time
      last_cpu_seconds_.reset();
    } else {
      sample.pid = pid_;
      sample.processes = usage->processes;
      sample.cpu_seconds_total = usage->cpu_seconds;
      sample.resident_memory_bytes = usage->resident_bytes;
      gauges_->resident->Add({}).Set(static_cast<double>(usage->resident_bytes));
      if (last_cpu_seconds_) {
        const double used = std::max(0.0, usage->cpu_seconds - *last_cpu_seconds_);
        const double wall = std::chrono::duration<double>(now - last_time_).count();
        gauges_->cpu_seconds->Add({}).Increment(used);
        if (wall > 0) {
          sample.cpu_cores = used / wall;
          gauges_->cpu_cores->Add({}).Set(used / wall);
        }
      }
      last_cpu_seconds_ = usage->cpu_seconds;
      last_time_ = now;
      const CgroupUsage cg =
          ReadCgroupUsage(CgroupDirOf(options_.proc_root, options_.cgroup_root, pid_));
      if (cg.working_set_bytes) {
        sample.working_set_bytes = *cg.working_set_bytes;
        gauges_->working_set->Add({}).Set(static_cast<double>(*cg.working_set_bytes));
      }
    }
  }
  if (gpus_->available()) {
    std::vector<metrics::GpuReading> gpus;
    for (const GpuUsage& g : gpus_->Sample()) {
      const prometheus::Labels labels{{"gpu", std::to_string(g.index)}};
      gauges_->gpu_util->Add(labels).Set(g.utilization);
      gauges_->gpu_used->Add(labels).Set(static_cast<double>(g.memory_used_bytes));
      gauges_->gpu_total->Add(labels).Set(static_cast<double>(g.memory_total_bytes));
      gpus.push_back({g.index, g.utilization, g.memory_used_bytes, g.memory_total_bytes});
    }
    sample.gpus = std::move(gpus);
  }
  const bool read = !sample.empty();
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = std::move(sample);
  }
  if (read && on_reading_) on_reading_();
}

metrics::ResourceReading ResourceSampler::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

}  // namespace mm::sidecar
