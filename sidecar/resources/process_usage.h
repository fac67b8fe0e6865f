#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace mm::sidecar {

// What the model uses, read from /proc and cgroup v2. Paths are parameters so
// tests can point them at a fake tree.
struct ProcessUsage {
  double cpu_seconds = 0;       // user + system of the process and its descendants
  uint64_t resident_bytes = 0;  // VmRSS summed over the same processes
  size_t processes = 0;
};

struct CgroupUsage {
  std::optional<double> cpu_seconds;          // cpu.stat usage_usec
  std::optional<uint64_t> memory_bytes;       // memory.current
  std::optional<uint64_t> working_set_bytes;  // memory.current - inactive_file (as the kubelet)
};

// The pid of the process listening on TCP `port` (IPv4 or IPv6), from
// <proc>/net/tcp{,6} and the socket links in <proc>/<pid>/fd.
Result<pid_t> FindListeningProcess(const std::string& proc_root, uint16_t port);

// The process `pid` and all its descendants (model servers fork workers).
Result<ProcessUsage> ReadProcessTreeUsage(const std::string& proc_root, pid_t pid);

// The cgroup v2 directory of `pid` under `cgroup_root` ("" if it has none).
std::string CgroupDirOf(const std::string& proc_root, const std::string& cgroup_root, pid_t pid);
CgroupUsage ReadCgroupUsage(const std::string& cgroup_dir);

}  // namespace mm::sidecar
