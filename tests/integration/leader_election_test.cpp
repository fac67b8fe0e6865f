// Two modelmonitor-operator processes against the real control plane: exactly
// one holds the Lease and reconciles; SIGKILL it and the other takes over
// within the lease duration (plus client-go's retry jitter) and reconciles;
// SIGTERM releases the Lease and exits 0. /readyz and /metrics are read from
// each process's health port.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

// One operator process; its stderr (JSON logs) goes to a file the test reads.
class OperatorProcess {
 public:
  OperatorProcess(const std::string& identity, const std::vector<std::string>& args)
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
  ~OperatorProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string Log() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool Logged(const std::string& msg) const {
    return Log().find("\"msg\":\"" + msg + "\"") != std::string::npos;
  }
  int HealthPort() const {
    std::istringstream lines(Log());
    for (std::string line; std::getline(lines, line);) {
      auto j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == "operator starting") return j["health_port"];
    }
    return 0;
  }
  // A plain HTTP/1.0 GET to the health port: (status, body), status 0 on failure.
  std::pair<int, std::string> HttpGet(const std::string& path) const {
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
  void Signal(int sig) const { kill(pid_, sig); }
  // Waits for the exit; returns the exit code, or -1 on timeout or a signal death.
  int Wait(std::chrono::milliseconds timeout) {
    int status = 0;
    if (!WaitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout, 50ms)) {
      return -1;
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& identity() const { return identity_; }

 private:
  std::string identity_;
  std::string log_path_;
  pid_t pid_ = -1;
};

TEST(LeaderElectionTest, OneLeaderReconcilesAndTheFollowerTakesOverAfterAKill) {
  ControlPlane& cp = ControlPlaneEnvironment::Get();
  InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();
  const std::string ns = CreateNamespace(*admin, "le");
  ASSERT_TRUE(
      admin->Create(ResourcePath{"v1", "pods", ns}.Url(), Pod("p", {{"app", "m"}}, true)).ok());
  const ResourcePath monitor{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m"};
  ASSERT_TRUE(admin
                  ->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
                           ModelMonitor("m", {{"matchLabels", {{"app", "m"}}}}))
                  .ok());

  const auto lease_duration = 6s, retry_period = 1s;
  auto args = [&](const std::string& id) {
    return std::vector<std::string>{"--kubeconfig=" + cp.kubeconfig(),
                                    "--namespace=" + ns,
                                    "--identity=" + id,
                                    "--health-address=127.0.0.1",
                                    "--health-port=0",
                                    "--leader-elect-namespace=" + ns,
                                    "--leader-elect-lease-duration=6s",
                                    "--leader-elect-renew-deadline=4s",
                                    "--leader-elect-retry-period=1s"};
  };
  auto a = std::make_unique<OperatorProcess>("op-a-" + ns, args("op-a-" + ns));
  auto b = std::make_unique<OperatorProcess>("op-b-" + ns, args("op-b-" + ns));
  const std::string lease =
      ResourcePath{"coordination.k8s.io/v1", "leases", ns, "modelmonitor-operator"}.Url();
  auto holder = [&]() -> std::string {
    auto r = admin->Get(lease);
    return r.ok() ? r.body["spec"].value("holderIdentity", "") : "";
  };
  ASSERT_TRUE(WaitFor([&] { return !holder().empty(); }, 60s)) << a->Log() << b->Log();
  OperatorProcess* leader = holder() == a->identity() ? a.get() : b.get();
  OperatorProcess* follower = leader == a.get() ? b.get() : a.get();

  // The leader reconciles; the follower, with synced caches, is ready but idle.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto m = admin->Get(monitor.Url()).body;
        return ConditionOf(m, "Ready")["status"] == "True";
      },
      30s))
      << leader->Log();
  ASSERT_TRUE(WaitFor([&] { return follower->HttpGet("/readyz").first == 200; }, 30s))
      << follower->Log();
  EXPECT_EQ(leader->HttpGet("/healthz").first, 200);
  const std::string leader_metrics = leader->HttpGet("/metrics").second;
  EXPECT_NE(leader_metrics.find("modelmonitor_leader 1"), std::string::npos) << leader_metrics;
  EXPECT_NE(leader_metrics.find("modelmonitor_reconcile_total{outcome=\"done\"}"),
            std::string::npos);
  const std::string follower_metrics = follower->HttpGet("/metrics").second;
  EXPECT_EQ(follower_metrics.find("modelmonitor_reconcile_total{"), std::string::npos)
      << "the follower reconciled:\n"
      << follower_metrics;
  EXPECT_TRUE(leader->Logged("starting workers"));
  EXPECT_FALSE(follower->Logged("starting workers"));
  EXPECT_FALSE(follower->Logged("status updated"));

  // Kill the leader: no release, so the follower waits out the lease.
  leader->Signal(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return holder() == follower->identity(); }, 30s)) << follower->Log();
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  std::cout << "takeover after SIGKILL: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
            << " ms (lease duration 6000 ms, retry period 1000 ms)\n";
  // client-go's bound: lease duration after the last renewal seen, tried every
  // retry period with jitter 1.2.
  EXPECT_LE(takeover, lease_duration + retry_period * 22 / 10 + 1s);

  // The new leader reconciles a spec change.
  ASSERT_TRUE(admin
                  ->Patch(monitor.Url(),
                          {{"spec", {{"selector", {{"matchLabels", {{"app", "none"}}}}}}}},
                          kube::PatchType::kMerge)
                  .ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        auto m = admin->Get(monitor.Url()).body;
        return m["status"].value("observedGeneration", 0) == 2 &&
               ConditionOf(m, "Ready")["reason"] == "NoPodsMatched";
      },
      30s))
      << follower->Log();
  EXPECT_TRUE(follower->Logged("status updated"));

  // SIGTERM: graceful shutdown releases the Lease and exits 0.
  follower->Signal(SIGTERM);
  EXPECT_EQ(follower->Wait(25s), 0) << follower->Log();
  EXPECT_EQ(holder(), "") << "the lease was released";
}

}  // namespace
}  // namespace mm::testing
