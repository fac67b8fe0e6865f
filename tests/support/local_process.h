#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mm::testing {

// A program the test starts as a child process (the operator binary, a model
// server), with stdout and stderr in a log file the test reads. The child dies with
// the test process (PR_SET_DEATHSIG); the destructor kills what is still running.
class LocalProcess {
 public:
  // `env`: "NAME=value" entries added to (or replacing those of) this process's environment.
  LocalProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::string& log_path, const std::vector<std::string>& env = {});
  ~LocalProcess();
  LocalProcess(const LocalProcess&) = delete;
  LocalProcess& operator=(const LocalProcess&) = delete;

  std::string Log() const;
  pid_t pid() const { return pid_; }  // -1 once it was waited for
  bool Running();
  void Signal(int sig) const;
  // Waits for the exit; the exit code, or -1 on timeout or death by a signal.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 nothing listens on now, for programs that must be told
// their port (Prometheus, Alertmanager); 0 when none could be found.
uint16_t FreeLoopbackPort();

}  // namespace mm::testing
