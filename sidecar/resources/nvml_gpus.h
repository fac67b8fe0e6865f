#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mm::sidecar {

struct GpuUsage {
  unsigned index = 0;
  double utilization = 0;  // 0..1, share of the last sample period a kernel ran
  uint64_t memory_used_bytes = 0;
  uint64_t memory_total_bytes = 0;
};

// NVIDIA GPUs through NVML, loaded with dlopen at run time so the sidecar has no
// link-time dependency on the driver: without libnvidia-ml.so.1 or without GPUs,
// available() is false and Sample() is empty (not an error).
class NvmlGpus {
 public:
  static std::unique_ptr<NvmlGpus> Load(const std::string& library = "libnvidia-ml.so.1");
  ~NvmlGpus();
  bool available() const { return count_ > 0; }
  std::vector<GpuUsage> Sample() const;
  const std::string& why_unavailable() const { return why_; }

 private:
  NvmlGpus() = default;
  struct Api;
  std::unique_ptr<Api> api_;
  void* handle_ = nullptr;
  unsigned count_ = 0;
  std::string why_;
};

}  // namespace mm::sidecar
