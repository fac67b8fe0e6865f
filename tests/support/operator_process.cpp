#include "tests/support/operator_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/wait.h"

namespace mm::testing {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string HowExited(int status) {
  return WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                           : "killed by signal " + std::to_string(WTERMSIG(status));
}

}  // namespace

OperatorProcess::OperatorProcess(const std::string& identity, const std::vector<std::string>& args)
    : identity_(identity), log_path_("/tmp/mm-op-" + identity + ".log") {
  const std::string binary = std::string(MM_BINARY_DIR) + "/operator/modelmonitor-operator";
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    FILE* log = std::freopen(log_path_.c_str(), "w", stderr);
    if (!log) _exit(126);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

OperatorProcess::~OperatorProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string OperatorProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool OperatorProcess::Logged(const std::string& msg) const {
  return Log().find("\"msg\":\"" + msg + "\"") != std::string::npos;
}

json OperatorProcess::LogLine(const std::string& msg) const {
  std::istringstream lines(Log());
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "") == msg) return j;
  }
  return nullptr;
}

int OperatorProcess::HealthPort() const {
  const json line = LogLine("operator starting");
  return line.is_object() ? line.value("health_port", 0) : 0;
}

std::pair<int, std::string> OperatorProcess::HttpGet(const std::string& path) const {
  const int port = HealthPort();
  if (port == 0) return {0, "no health port logged yet"};
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {0, "connect failed"};
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return {0, "write failed"};
  }
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  if (resp.rfind("HTTP/1.", 0) != 0 || resp.size() < 12) return {0, resp};
  const auto body = resp.find("\r\n\r\n");
  return {std::stoi(resp.substr(9, 3)), body == std::string::npos ? "" : resp.substr(body + 4)};
}

void OperatorProcess::Signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);  // never kill(-1, ...): that is every process we may signal
}

int OperatorProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;  // reaped already; waitpid(-1) would take any child
  int status = 0;
  if (!WaitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout, 50ms)) {
    return -1;
  }
  pid_ = -1;
  ended_ = HowExited(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool OperatorProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  pid_ = -1;
  ended_ = HowExited(status);
  return false;
}

}  // namespace mm::testing
