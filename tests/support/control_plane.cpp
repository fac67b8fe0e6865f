#include "tests/support/control_plane.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "operator/controller.h"
#include "tests/support/api_calls.h"

namespace mm::testing {
namespace {

ControlPlane* g_control_plane = nullptr;

std::string DefaultBinary() {
  if (const char* env = std::getenv("MM_CONTROLPLANE"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.cache/modelmonitor/bin/mm-controlplane";
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

Result<std::unique_ptr<ControlPlane>> ControlPlane::Start(const Options& options) {
  std::unique_ptr<ControlPlane> cp(new ControlPlane());
  cp->binary_ = options.binary.empty() ? DefaultBinary() : options.binary;
  if (access(cp->binary_.c_str(), X_OK) != 0) {
    return Error{"test control plane not found at " + cp->binary_ +
                 ": run scripts/build-controlplane (make test does)"};
  }
  char tmpl[] = "/tmp/mm-it-XXXXXX";
  if (!mkdtemp(tmpl)) return Error{"mkdtemp failed"};
  cp->dir_ = tmpl;
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0)
    return Error{"pipe failed"};
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Error{"fork failed"};
  if (pid == 0) {
    // The child: the launcher. It dies with us (PDEATHSIG), and its own children die with it.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    const std::string dir_flag = "--dir=" + cp->dir_;
    const std::string kcm_flag =
        std::string("--controller-manager=") + (options.controller_manager ? "true" : "false");
    execl(cp->binary_.c_str(), "mm-controlplane", "up", dir_flag.c_str(), kcm_flag.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  cp->pid_ = pid;
  cp->to_child_ = in_pipe[1];
  cp->from_child_ = out_pipe[0];
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  auto line = cp->ReadLine(deadline);
  if (!line)
    return Error{"control plane did not start: " + line.error().message + " (logs in " + cp->dir_ +
                 "/logs)"};
  if (line->rfind("READY ", 0) != 0) return Error{"control plane said: " + line.value()};
  cp->kubeconfig_ = line->substr(6);
  return cp;
}

ControlPlane::~ControlPlane() {
  if (to_child_ >= 0) close(to_child_);  // EOF: the launcher stops everything
  if (pid_ > 0) {
    for (int i = 0; i < 300; ++i) {  // up to 30 s for a clean stop
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      usleep(100 * 1000);
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  if (from_child_ >= 0) close(from_child_);
  std::error_code ec;
  if (!std::getenv("MM_KEEP_CONTROLPLANE_DIR")) std::filesystem::remove_all(dir_, ec);
}

Result<std::string> ControlPlane::ReadLine(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (auto nl = buffered_.find('\n'); nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{"timed out waiting for the launcher"};
    pollfd pfd{from_child_, POLLIN, 0};
    const int r = poll(&pfd, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    std::array<char, 4096> buf;
    const ssize_t n = read(from_child_, buf.data(), buf.size());
    if (n <= 0) return Error{"the launcher exited"};
    buffered_.append(buf.data(), static_cast<size_t>(n));
  }
}

Status ControlPlane::Command(const std::string& command, std::chrono::seconds timeout) {
  const std::string line = command + "\n";
  if (write(to_child_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return Error{"cannot write to the launcher"};
  }
  auto answer = ReadLine(std::chrono::steady_clock::now() + timeout);
  if (!answer) return answer.error();
  if (answer->rfind("OK ", 0) != 0) return Error{command + ": " + answer.value()};
  return OkStatus();
}

kube::ClusterConfig ControlPlane::cluster_config() const {
  auto cfg = kube::LoadKubeconfig(kubeconfig_);
  if (!cfg) {
    ADD_FAILURE() << cfg.error().message;
    return {};
  }
  return cfg.value();
}

std::unique_ptr<kube::RestKubeClient> ControlPlane::AdminClient() const {
  return std::make_unique<kube::RestKubeClient>(cluster_config());
}

std::unique_ptr<kube::RestKubeClient> ControlPlane::OperatorClient() const {
  auto config = cluster_config();
  config.user_agent = op::kUserAgent;
  return std::make_unique<kube::RestKubeClient>(config);
}

std::string ControlPlane::kubectl_path() const {
  return (std::filesystem::path(binary_).parent_path() / "kubectl").string();
}

ControlPlane::CommandOutput ControlPlane::Kubectl(const std::string& args,
                                                  const std::string& stdin_text) const {
  std::string cmd =
      "KUBECONFIG=" + ShellQuote(kubeconfig_) + " " + ShellQuote(kubectl_path()) + " " + args;
  std::string input_file;
  if (!stdin_text.empty()) {
    input_file = dir_ + "/kubectl-stdin-" + std::to_string(std::random_device{}());
    if (FILE* f = std::fopen(input_file.c_str(), "w")) {
      std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
      std::fclose(f);
    }
    cmd += " < " + ShellQuote(input_file);
  }
  cmd += " 2>&1";
  CommandOutput out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.output.append(buf.data(), n);
  const int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!input_file.empty()) std::remove(input_file.c_str());
  return out;
}

void ControlPlaneEnvironment::SetUp() {
  auto cp = ControlPlane::Start(options_);
  if (!cp) {
    FAIL() << cp.error().message;
  }
  g_control_plane = cp.value().release();
}

void ControlPlaneEnvironment::TearDown() {
  // What the operator called, for the check of the chart's RBAC (tests/rbac/).
  if (const std::string dir = ApiCallsDir(); g_control_plane && !dir.empty()) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + program_invocation_short_name + ".tsv") << FormatApiCalls(
        ApiCallsInAuditLog(g_control_plane->dir() + "/logs/audit.log", op::kUserAgent));
  }
  delete g_control_plane;
  g_control_plane = nullptr;
}

ControlPlane& ControlPlaneEnvironment::Get() {
  if (!g_control_plane) {
    std::fprintf(stderr, "the control plane is not running (see the set-up failure above)\n");
    std::abort();
  }
  return *g_control_plane;
}

std::string UniqueNamespace(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::mt19937 rng(static_cast<unsigned>(getpid()) * 7919u + static_cast<unsigned>(counter++));
  return prefix + "-" + std::to_string(rng() % 1000000);
}

}  // namespace mm::testing
