// Operator at scale, against the real test control plane: M ModelMonitors and
// P pods they select (half carry the injection annotation) are created, then
// the modelmonitor-operator binary starts. Prints: time until every monitor's
// status is right (initial sync + reconcile of all), the operator's memory
// (VmRSS, VmHWM) and CPU time, idle CPU over 10 s, and the time from a spec
// change to its status update (p50/p95 over K changes).
// Baselines measured in the same run: the JSON bytes the API returns for the
// objects the operator caches (RSS / data), and one direct GET+PUT of a status
// by this program (spec->status latency / API round trip).
//
//   build/bench/operator_scale_bench --monitors 1000 --pods 10000
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/kube/list_pager.h"
#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

using mm::kube::ResourcePath;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct ProcStats {
  long rss_kb = 0;
  long hwm_kb = 0;
  double cpu_seconds = 0;
};

ProcStats Stats(pid_t pid) {
  ProcStats s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kb = std::stol(line.substr(6));
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return s;
}

// Runs `n` creations on `threads` threads, each with its own client.
void CreateAll(mm::testing::ControlPlane& cp, int n, int threads,
               const std::function<std::pair<std::string, json>(int)>& make) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto client = cp.AdminClient();
      for (int i = next++; i < n; i = next++) {
        auto [path, obj] = make(i);
        auto r = client->Create(path, obj);
        if (!r.ok() && r.status != 409) ++failed;
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failed) std::cerr << failed << " creations failed\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"operator scale benchmark (real control plane)"};
  int monitors = 1000, pods = 10000, threads = 8, changes = 20;
  app.add_option("--monitors", monitors)->capture_default_str();
  app.add_option("--pods", pods)->capture_default_str();
  app.add_option("--threads", threads, "parallel creators")->capture_default_str();
  app.add_option("--changes", changes, "spec changes timed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto cp_or = mm::testing::ControlPlane::Start({});
  if (!cp_or) {
    std::cerr << cp_or.error().message << "\n";
    return 1;
  }
  auto& cp = *cp_or.value();
  mm::testing::InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();
  const std::string ns = "bench";
  admin->Create("/api/v1/namespaces", {{"metadata", {{"name", ns}}}});
  // The ServiceAccount admission needs the namespace's default ServiceAccount.
  mm::testing::WaitFor(
      [&] { return admin->Get("/api/v1/namespaces/bench/serviceaccounts/default").ok(); }, 60s);

  auto t0 = Clock::now();
  CreateAll(cp, monitors, threads, [&](int i) {
    return std::make_pair(
        ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
        mm::testing::ModelMonitor("m" + std::to_string(i),
                                  {{"matchLabels", {{"model", "m" + std::to_string(i)}}}}));
  });
  const double monitors_s = Seconds(Clock::now() - t0);
  t0 = Clock::now();
  CreateAll(cp, pods, threads, [&](int i) {
    return std::make_pair(
        ResourcePath{"v1", "pods", ns}.Url(),
        mm::testing::Pod("p" + std::to_string(i), {{"model", "m" + std::to_string(i % monitors)}},
                         i % 2 == 0 ? "m" + std::to_string(i % monitors) : ""));
  });
  const double pods_s = Seconds(Clock::now() - t0);
  std::printf("created %d monitors in %.1f s (%.0f/s), %d pods in %.1f s (%.0f/s)\n", monitors,
              monitors_s, monitors / monitors_s, pods, pods_s, pods / pods_s);

  // Baseline 1: the bytes of what the operator caches, as the API serves them.
  size_t data_bytes = 0;
  for (const char* path : {"/apis/modelmonitor.io/v1alpha1/namespaces/bench/modelmonitors",
                           "/api/v1/namespaces/bench/pods"}) {
    std::string p = path;
    auto list =
        mm::kube::ListAll(*admin,
                          ResourcePath{p.find("/apis/") == 0 ? "modelmonitor.io/v1alpha1" : "v1",
                                       p.find("/apis/") == 0 ? "modelmonitors" : "pods", ns},
                          500);
    for (const auto& item : list.items) data_bytes += item.dump().size();
  }

  // Start the operator binary.
  const std::string binary = std::string(MM_BINARY_DIR) + "/operator/modelmonitor-operator";
  const std::string kubeconfig_flag = "--kubeconfig=" + cp.kubeconfig();
  const pid_t parent = getpid();
  const auto started = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    if (!std::freopen("/tmp/mm-operator-bench.log", "w", stderr)) _exit(126);
    execl(binary.c_str(), binary.c_str(), kubeconfig_flag.c_str(), "--namespace=bench",
          "--health-port=0", "--log-level=info", "--leader-elect-namespace=bench",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Converged: every monitor has matched and injected right.
  auto converged = [&] {
    auto list = mm::kube::ListAll(
        *admin, ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}, 500);
    if (!list.ok()) return false;
    int good = 0;
    for (const auto& m : list.items) {
      const int i = std::stoi(m["metadata"]["name"].get<std::string>().substr(1));
      const int matched = pods / monitors + (i < pods % monitors ? 1 : 0);
      int injected = 0;
      for (int j = i; j < pods; j += monitors) injected += j % 2 == 0;
      const json st = m.value("status", json::object());
      if (st.value("pods", json::object()) == json{{"matched", matched}, {"injected", injected}}) {
        ++good;
      }
    }
    return good == monitors;
  };
  if (!mm::testing::WaitFor(converged, 600s, 500ms)) {
    std::cerr << "did not converge in 600 s; see /tmp/mm-operator-bench.log\n";
    kill(pid, SIGKILL);
    return 1;
  }
  const double converge_s = Seconds(Clock::now() - started);
  const ProcStats after_sync = Stats(pid);
  // Measurement windows, not synchronisation: the first 10 s after convergence
  // still carry the tail of the startup work (Events being posted, no-op
  // reconciles of the operator's own status writes); the second is steady state.
  std::this_thread::sleep_for(10s);
  const ProcStats tail = Stats(pid);
  std::this_thread::sleep_for(10s);
  const ProcStats idle = Stats(pid);

  // Baseline 2: one GET + status PUT by this program.
  const ResourcePath m0{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m0"};
  std::vector<double> direct, latency;
  for (int k = 0; k < changes; ++k) {
    auto t = Clock::now();
    auto got = admin->Get(m0.Url());
    admin->Replace(m0.Url() + "/status", got.body);
    direct.push_back(Seconds(Clock::now() - t) * 1000);
  }
  for (int k = 0; k < changes; ++k) {
    const std::string name = "m" + std::to_string(k % monitors);
    const ResourcePath path{"modelmonitor.io/v1alpha1", "modelmonitors", ns, name};
    auto t = Clock::now();
    auto r = admin->Patch(path.Url(), {{"spec", {{"note", std::to_string(k)}}}},
                          mm::kube::PatchType::kMerge);
    const int64_t gen = r.body["metadata"].value("generation", int64_t{0});
    mm::testing::WaitFor(
        [&] {
          return admin->Get(path.Url()).body["status"].value("observedGeneration", int64_t{0}) ==
                 gen;
        },
        30s, 2ms);
    latency.push_back(Seconds(Clock::now() - t) * 1000);
  }
  std::sort(direct.begin(), direct.end());
  std::sort(latency.begin(), latency.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  };
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  std::printf("operator: %d monitors, %d pods (half injected), cached data %.1f MiB as JSON\n",
              monitors, pods, static_cast<double>(data_bytes) / (1 << 20));
  std::printf("  start -> all %d statuses right: %.1f s\n", monitors, converge_s);
  std::printf("  memory after sync: VmRSS %.1f MiB, VmHWM %.1f MiB (ratio to cached JSON: %.2fx)\n",
              after_sync.rss_kb / 1024.0, after_sync.hwm_kb / 1024.0,
              after_sync.rss_kb * 1024.0 / static_cast<double>(std::max<size_t>(data_bytes, 1)));
  std::printf(
      "  CPU: %.2f s to sync and reconcile all; next 10 s %.3f cores; steady idle %.3f "
      "cores (VmRSS %.1f MiB)\n",
      after_sync.cpu_seconds, (tail.cpu_seconds - after_sync.cpu_seconds) / 10.0,
      (idle.cpu_seconds - tail.cpu_seconds) / 10.0, idle.rss_kb / 1024.0);
  std::printf(
      "  spec change -> status: p50 %.1f ms, p95 %.1f ms over %d changes "
      "(direct GET+PUT p50 %.1f ms: ratio %.1fx)\n",
      pct(latency, 0.5), pct(latency, 0.95), changes, pct(direct, 0.5),
      pct(latency, 0.5) / std::max(pct(direct, 0.5), 0.001));
  return 0;
}
