#include "dev/local_kubelet/container_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace mm::dev {

Result<std::unique_ptr<ContainerProcess>> ContainerProcess::Start(const LaunchSpec& spec) {
  if (spec.argv.empty()) return Error{"empty command"};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(spec.log_file).parent_path(), ec);
  const int log = open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return Error{"cannot open log file " + spec.log_file + ": " + strerror(errno)};
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_s = spec.argv, env_s = spec.env;
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  int status_pipe[2];  // carries errno when exec fails; closed by exec when it succeeds
  if (pipe2(status_pipe, O_CLOEXEC) != 0) {
    close(log);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    close(status_pipe[0]);
    close(status_pipe[1]);
    return Error{std::string("fork: ") + strerror(errno)};
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the kubelet blocks SIGTERM; children must not
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    // The exec-status pipe becomes fd 3 (close-on-exec); the kubelet's other sockets
    // and pipes are not the container's.
    int status_fd = status_pipe[1];
    if (status_fd != 3) status_fd = dup3(status_fd, 3, O_CLOEXEC) == 3 ? 3 : status_fd;
    close_range(status_fd == 3 ? 4 : 3, ~0U, 0);
    if (!spec.working_dir.empty() && chdir(spec.working_dir.c_str()) != 0) {
      const int err = errno;
      (void)!write(status_fd, &err, sizeof(err));
      _exit(127);
    }
    execvpe(argv[0], argv.data(), envp.data());
    const int err = errno;
    (void)!write(status_fd, &err, sizeof(err));
    _exit(127);
  }
  close(log);
  close(status_pipe[1]);
  int child_errno = 0;
  const ssize_t n = read(status_pipe[0], &child_errno, sizeof(child_errno));
  close(status_pipe[0]);
  if (n == sizeof(child_errno)) {
    waitpid(pid, nullptr, 0);
    return Error{"cannot run " + spec.argv[0] +
                 (spec.working_dir.empty() ? "" : " in " + spec.working_dir) + ": " +
                 strerror(child_errno)};
  }
  return std::unique_ptr<ContainerProcess>(new ContainerProcess(pid));
}

ContainerProcess::~ContainerProcess() {
  if (exited()) return;
  Kill();
  waitpid(pid_, nullptr, 0);
}

std::optional<int> ContainerProcess::Poll() {
  if (exit_code_) return exit_code_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    kill(-pid_, SIGKILL);  // what it forked and left behind goes with it, as in a container
  } else if (r < 0 && errno == ECHILD) {
    exit_code_ = 255;
  }
  return exit_code_;
}

void ContainerProcess::Terminate() {
  if (!exited()) kill(-pid_, SIGTERM);
}

void ContainerProcess::Kill() {
  if (!exited()) kill(-pid_, SIGKILL);
}

}  // namespace mm::dev
