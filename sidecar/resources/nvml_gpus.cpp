#include "sidecar/resources/nvml_gpus.h"

#include <dlfcn.h>

namespace mm::sidecar {

namespace {
// The few NVML declarations used (nvml.h, stable ABI since the _v2 entry points).
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlUtilization_t {
  unsigned int gpu;
  unsigned int memory;
};
struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
}  // namespace

struct NvmlGpus::Api {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  nvmlReturn_t (*count)(unsigned int*);
  nvmlReturn_t (*handle)(unsigned int, nvmlDevice_t*);
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*);
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*);
};

template <typename F>
static bool Bind(void* lib, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  return *out != nullptr;
}

std::unique_ptr<NvmlGpus> NvmlGpus::Load(const std::string& library) {
  std::unique_ptr<NvmlGpus> gpus(new NvmlGpus());
  gpus->handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (gpus->handle_ == nullptr) {
    gpus->why_ = library + " not found (no NVIDIA driver): GPU metrics are absent";
    return gpus;
  }
  auto api = std::make_unique<Api>();
  if (!Bind(gpus->handle_, "nvmlInit_v2", &api->init) ||
      !Bind(gpus->handle_, "nvmlShutdown", &api->shutdown) ||
      !Bind(gpus->handle_, "nvmlDeviceGetCount_v2", &api->count) ||
      !Bind(gpus->handle_, "nvmlDeviceGetHandleByIndex_v2", &api->handle) ||
      !Bind(gpus->handle_, "nvmlDeviceGetUtilizationRates", &api->utilization) ||
      !Bind(gpus->handle_, "nvmlDeviceGetMemoryInfo", &api->memory)) {
    gpus->why_ = library + " lacks the NVML functions used: GPU metrics are absent";
    return gpus;
  }
  if (api->init() != kNvmlSuccess) {
    gpus->why_ = "nvmlInit failed: GPU metrics are absent";
    return gpus;
  }
  unsigned int count = 0;
  if (api->count(&count) != kNvmlSuccess) count = 0;
  gpus->api_ = std::move(api);
  gpus->count_ = count;
  if (count == 0) gpus->why_ = "NVML reports no GPU: GPU metrics are absent";
  return gpus;
}

NvmlGpus::~NvmlGpus() {
  if (api_) api_->shutdown();
  if (handle_ != nullptr) dlclose(handle_);
}

std::vector<GpuUsage> NvmlGpus::Sample() const {
  std::vector<GpuUsage> out;
  for (unsigned i = 0; i < count_; ++i) {
    nvmlDevice_t device = nullptr;
    if (api_->handle(i, &device) != kNvmlSuccess) continue;
    GpuUsage g;
    g.index = i;
    nvmlUtilization_t util{};
    if (api_->utilization(device, &util) == kNvmlSuccess) g.utilization = util.gpu / 100.0;
    nvmlMemory_t mem{};
    if (api_->memory(device, &mem) == kNvmlSuccess) {
      g.memory_used_bytes = mem.used;
      g.memory_total_bytes = mem.total;
    }
    out.push_back(g);
  }
  return out;
}

}  // namespace mm::sidecar
