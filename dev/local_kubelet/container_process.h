#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>

#include "common/result.h"
#include "dev/local_kubelet/container_launch.h"

namespace mm::dev {

// One running container: a local process in its own process group (so a stop
// reaches the children it forks), with stdout and stderr appended to its log
// file, which dies with the kubelet (PR_SET_PDEATHSIG). Not thread-safe: the
// kubelet's sync loop owns it.
class ContainerProcess {
 public:
  // Starts the process; an error when it cannot be executed (not found...).
  static Result<std::unique_ptr<ContainerProcess>> Start(const LaunchSpec& spec);
  ~ContainerProcess();  // kills (SIGKILL) and reaps a process still running
  ContainerProcess(const ContainerProcess&) = delete;
  ContainerProcess& operator=(const ContainerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps without blocking; the exit code once it has exited (128 + signal when killed).
  std::optional<int> Poll();
  bool exited() const { return exit_code_.has_value(); }
  void Terminate();  // SIGTERM to the process group
  void Kill();       // SIGKILL to the process group

 private:
  explicit ContainerProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_code_;
};

}  // namespace mm::dev
