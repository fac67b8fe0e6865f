#include "sidecar/resources/process_usage.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace mm::sidecar {

namespace fs = std::filesystem;

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool IsPid(const std::string& name) {
  return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

// ppid and utime+stime (ticks) from /proc/<pid>/stat; the command may hold spaces
// and parentheses, so fields are counted after the last ')'.
bool ParseStat(const std::string& stat, pid_t* ppid, uint64_t* ticks) {
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(stat.substr(close + 1));
  std::string state;
  long long parent = 0;
  in >> state >> parent;
  std::string skip;
  for (int i = 0; i < 9; ++i) in >> skip;  // pgrp ... cmajflt (fields 5-13)
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  in >> utime >> stime;
  if (!in) return false;
  *ppid = static_cast<pid_t>(parent);
  *ticks = utime + stime;
  return true;
}

uint64_t StatusKb(const std::string& status, const std::string& key) {
  const size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return 0;
  std::istringstream in(status.substr(at + key.size() + 2));
  uint64_t kb = 0;
  in >> kb;
  return kb;
}

std::optional<uint64_t> ReadNumber(const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) return std::nullopt;
  std::istringstream in(text);
  uint64_t v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

std::optional<uint64_t> KeyedValue(const std::string& path, const std::string& key) {
  std::string text;
  if (!ReadFile(path, &text)) return std::nullopt;
  std::istringstream in(text);
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace

Result<pid_t> FindListeningProcess(const std::string& proc_root, uint16_t port) {
  std::vector<std::string> inodes;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::ifstream in(proc_root + table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state != "0A") continue;  // LISTEN
      const size_t colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::strtoul(local.substr(colon + 1).c_str(), nullptr, 16) != port) continue;
      inodes.push_back("socket:[" + inode + "]");
    }
  }
  if (inodes.empty()) {
    return Error{"no process listens on port " + std::to_string(port) + " (read " + proc_root +
                 "/net/tcp)"};
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc_root, ec)) {
    const std::string name = entry.path().filename();
    if (!IsPid(name)) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(entry.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      const std::string target = fs::read_symlink(fd.path(), link_ec);
      if (link_ec) continue;
      for (const auto& inode : inodes) {
        if (target == inode) return static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
      }
    }
  }
  return Error{"the process listening on port " + std::to_string(port) + " is not visible in " +
               proc_root + " (share the pod's process namespace: shareProcessNamespace: true)"};
}

Result<ProcessUsage> ReadProcessTreeUsage(const std::string& proc_root, pid_t root) {
  std::map<pid_t, std::vector<pid_t>> children;
  std::map<pid_t, uint64_t> ticks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc_root, ec)) {
    const std::string name = entry.path().filename();
    if (!IsPid(name)) continue;
    std::string stat;
    if (!ReadFile(entry.path() / "stat", &stat)) continue;  // exited meanwhile
    pid_t ppid = 0;
    uint64_t t = 0;
    if (!ParseStat(stat, &ppid, &t)) continue;
    const auto pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    children[ppid].push_back(pid);
    ticks[pid] = t;
  }
  if (!ticks.count(root)) {
    return Error{"process " + std::to_string(root) + " is not in " + proc_root};
  }
  static const double kTicksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessUsage usage;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    ++usage.processes;
    usage.cpu_seconds += static_cast<double>(ticks[pid]) / kTicksPerSecond;
    std::string status;
    if (ReadFile(proc_root + "/" + std::to_string(pid) + "/status", &status)) {
      usage.resident_bytes += StatusKb(status, "VmRSS") * 1024;
    }
    for (pid_t child : children[pid]) todo.push_back(child);
  }
  return usage;
}

std::string CgroupDirOf(const std::string& proc_root, const std::string& cgroup_root, pid_t pid) {
  std::string text;
  if (!ReadFile(proc_root + "/" + std::to_string(pid) + "/cgroup", &text)) return "";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) {  // the cgroup v2 unified hierarchy
      const std::string dir = cgroup_root + line.substr(3);
      return fs::exists(dir + "/memory.current") || fs::exists(dir + "/cpu.stat") ? dir : "";
    }
  }
  return "";
}

CgroupUsage ReadCgroupUsage(const std::string& dir) {
  CgroupUsage u;
  if (dir.empty()) return u;
  if (auto usec = KeyedValue(dir + "/cpu.stat", "usage_usec")) u.cpu_seconds = *usec / 1e6;
  u.memory_bytes = ReadNumber(dir + "/memory.current");
  if (u.memory_bytes) {
    const uint64_t inactive = KeyedValue(dir + "/memory.stat", "inactive_file").value_or(0);
    u.working_set_bytes = *u.memory_bytes > inactive ? *u.memory_bytes - inactive : 0;
  }
  return u;
}

}  // namespace mm::sidecar
