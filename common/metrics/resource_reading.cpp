#include "common/metrics/resource_reading.h"

#include <string>

namespace mm::metrics {
namespace {

using nlohmann::json;

// Reads `key` of `j` into `out` when present; false (with `error`) when of another type.
template <typename T>
bool Read(const json& j, const char* key, std::optional<T>* out, const std::string& where,
          std::string* error) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  const bool ok = std::is_floating_point_v<T> ? it->is_number()
                  : std::is_unsigned_v<T>     ? it->is_number_integer() && it->get<int64_t>() >= 0
                                              : it->is_number_integer();
  if (!ok) {
    *error = where + key + ": expected a " +
             (std::is_floating_point_v<T> ? "number" : "non-negative integer");
    return false;
  }
  *out = it->get<T>();
  return true;
}

}  // namespace

std::optional<double> ResourceReading::memory_bytes() const {
  if (working_set_bytes) return static_cast<double>(*working_set_bytes);
  if (resident_memory_bytes) return static_cast<double>(*resident_memory_bytes);
  return std::nullopt;
}

std::optional<double> ResourceReading::gpu_utilization() const {
  if (!gpus || gpus->empty()) return std::nullopt;
  double sum = 0;
  for (const auto& g : *gpus) sum += g.utilization;
  return sum / static_cast<double>(gpus->size());
}

std::optional<double> ResourceReading::gpu_memory_bytes() const {
  if (!gpus || gpus->empty()) return std::nullopt;
  double sum = 0;
  for (const auto& g : *gpus) sum += static_cast<double>(g.memory_used_bytes);
  return sum;
}

json ResourceReading::ToJson() const {
  json out = json::object();
  if (pid) out["pid"] = *pid;
  if (processes) out["processes"] = *processes;
  if (cpu_seconds_total) out["cpuSecondsTotal"] = *cpu_seconds_total;
  if (cpu_cores) out["cpuCores"] = *cpu_cores;
  if (resident_memory_bytes) out["residentMemoryBytes"] = *resident_memory_bytes;
  if (working_set_bytes) out["workingSetBytes"] = *working_set_bytes;
  if (gpus) {
    json list = json::array();
    for (const auto& g : *gpus) {
      list.push_back({{"index", g.index},
                      {"utilization", g.utilization},
                      {"memoryUsedBytes", g.memory_used_bytes},
                      {"memoryTotalBytes", g.memory_total_bytes}});
    }
    out["gpus"] = std::move(list);
  }
  return out;
}

Result<ResourceReading> ResourceReading::FromJson(const json& j) {
  if (!j.is_object()) return Error{"resources: expected an object"};
  ResourceReading r;
  std::string error;
  const std::string where = "resources.";
  if (!Read(j, "pid", &r.pid, where, &error) ||
      !Read(j, "processes", &r.processes, where, &error) ||
      !Read(j, "cpuSecondsTotal", &r.cpu_seconds_total, where, &error) ||
      !Read(j, "cpuCores", &r.cpu_cores, where, &error) ||
      !Read(j, "residentMemoryBytes", &r.resident_memory_bytes, where, &error) ||
      !Read(j, "workingSetBytes", &r.working_set_bytes, where, &error)) {
    return Error{error};
  }
  if (const auto gpus = j.find("gpus"); gpus != j.end() && !gpus->is_null()) {
    if (!gpus->is_array()) return Error{"resources.gpus: expected a list"};
    std::vector<GpuReading> list;
    for (size_t i = 0; i < gpus->size(); ++i) {
      const json& g = (*gpus)[i];
      const std::string at = "resources.gpus[" + std::to_string(i) + "].";
      if (!g.is_object()) return Error{at.substr(0, at.size() - 1) + ": expected an object"};
      std::optional<int64_t> index;
      std::optional<double> utilization;
      std::optional<uint64_t> used, total;
      if (!Read(g, "index", &index, at, &error) ||
          !Read(g, "utilization", &utilization, at, &error) ||
          !Read(g, "memoryUsedBytes", &used, at, &error) ||
          !Read(g, "memoryTotalBytes", &total, at, &error)) {
        return Error{error};
      }
      if (!index || !utilization || !used || !total) {
        return Error{at + "index, utilization, memoryUsedBytes, memoryTotalBytes: all required"};
      }
      list.push_back({*index, *utilization, *used, *total});
    }
    r.gpus = std::move(list);
  }
  return r;
}

}  // namespace mm::metrics
