#pragma once

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace mm::testing {

// One modelmonitor-operator process (the binary the build made); its stderr
// (JSON logs) goes to /tmp/mm-op-<identity>.log, which the test reads. Killed
// with the test process (PR_SET_PDEATHSIG) and by the destructor.
class OperatorProcess {
 public:
  OperatorProcess(const std::string& identity, const std::vector<std::string>& args);
  ~OperatorProcess();
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  std::string Log() const;
  bool Logged(const std::string& msg) const;
  // The fields of the first log line with this message (null when not logged yet).
  nlohmann::json LogLine(const std::string& msg) const;
  int HealthPort() const;
  // A plain HTTP/1.0 GET to the health port: (status, body), status 0 on failure.
  std::pair<int, std::string> HttpGet(const std::string& path) const;
  void Signal(int sig) const;
  // Waits for the exit; returns the exit code, or -1 on timeout or a signal death.
  int Wait(std::chrono::milliseconds timeout);
  // False once the process has exited (it is reaped then); HowItEnded() says how.
  bool Running();
  // "exited with status 1", "killed by signal 9" ("running" while it runs).
  const std::string& HowItEnded() const { return ended_; }
  const std::string& identity() const { return identity_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

 private:
  std::string identity_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::string ended_ = "running";
};

}  // namespace mm::testing
