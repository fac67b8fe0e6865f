// Operator at scale, against the real test control plane: M ModelMonitors and
// P pods they select (half carry the injection annotation) are created, then
// the modelmonitor-operator binary starts the way operator_binary_test runs it
// (webhook and API on 127.0.0.1, leader election). Prints: time until every
// monitor's status is right (initial sync + reconcile of all), the operator's
// memory (VmRSS, VmHWM) and CPU time, idle CPU, and the time from a spec change
// to its status update (p50/p95 over K changes).
// Baselines measured in the same run: the JSON bytes the API returns for the
// objects the operator caches (RSS / data), and one direct GET+PUT of a status
// by this program (spec->status latency / API round trip).
// Statuses are followed by one watch, not by listing every monitor again and
// again: the measurement must not take the CPU the operator is measured on.
//
//   build/bench/operator_scale_bench --monitors 1000 --pods 10000
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench/figures.h"
#include "common/kube/list_pager.h"
#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/operator_process.h"
#include "tests/support/wait.h"

using mm::bench::Fail;
using mm::bench::Format;
using mm::bench::Grouped;
using mm::bench::Require;
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
  if (text.rfind(')') == std::string::npos) return s;
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

// Runs `n` creations on `threads` threads, each with its own client; fails the
// run when any creation fails.
void CreateAll(mm::testing::ControlPlane& cp, int n, int threads, const char* what,
               const std::function<std::pair<std::string, json>(int)>& make) {
  std::atomic<int> next{0}, failed{0};
  std::mutex mu;
  std::string first_error;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto client = cp.AdminClient();
      for (int i = next++; i < n; i = next++) {
        auto [path, obj] = make(i);
        auto r = client->Create(path, obj);
        if (!r.ok() && r.status != 409) {
          std::lock_guard<std::mutex> lock(mu);
          if (failed++ == 0) first_error = r.Message();
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  Require(failed == 0, Format("%d of %d %s could not be created; the first: %s", failed.load(), n,
                              what, first_error.c_str()));
}

// Follows the ModelMonitors of one namespace through a watch: how many have the
// status `right` asks for, and each one's status.observedGeneration.
class MonitorStatusWatch {
 public:
  MonitorStatusWatch(std::unique_ptr<mm::kube::KubeClient> client, std::string ns,
                     std::function<bool(const json& monitor)> right)
      : client_(std::move(client)), ns_(std::move(ns)), right_(std::move(right)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~MonitorStatusWatch() {
    stop_ = true;
    control_.Cancel();
    thread_.join();
  }

  int right() const {
    std::lock_guard<std::mutex> lock(mu_);
    return right_count_;
  }
  // Waits up to `timeout` for `n` right statuses; returns how many are right.
  int WaitRight(int n, Clock::duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return right_count_ >= n; });
    return right_count_;
  }
  bool WaitGeneration(const std::string& name, int64_t generation, Clock::duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      auto it = monitors_.find(name);
      return it != monitors_.end() && it->second.observed_generation >= generation;
    });
  }
  std::string last_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
  }

 private:
  struct Seen {
    bool right = false;
    int64_t observed_generation = 0;
  };

  void Update(const json& monitor, bool deleted) {
    const std::string name = monitor["metadata"].value("name", "");
    std::lock_guard<std::mutex> lock(mu_);
    Seen& seen = monitors_[name];
    const bool right = !deleted && right_(monitor);
    right_count_ += static_cast<int>(right) - static_cast<int>(seen.right);
    seen.right = right;
    seen.observed_generation =
        monitor.value("status", json::object()).value("observedGeneration", int64_t{0});
    changed_.notify_all();
  }

  void Run() {
    const ResourcePath collection{"modelmonitor.io/v1alpha1", "modelmonitors", ns_};
    std::string rv;
    while (!stop_) {
      if (rv.empty()) {
        auto list = mm::kube::ListAll(*client_, collection, 500, mm::kube::DropManagedFields);
        if (!list.ok()) {
          Failed("list: " + list.failure.Message());
          continue;
        }
        for (const auto& m : list.items) Update(m, false);
        rv = list.resource_version;
      }
      ResourcePath watch = collection;
      watch.query["watch"] = "true";
      watch.query["allowWatchBookmarks"] = "true";
      watch.query["resourceVersion"] = rv;
      watch.query["timeoutSeconds"] = "600";
      auto r = client_->Watch(
          watch.Url(),
          [&](const json& event) {
            const std::string type = event.value("type", "");
            const json& object = event.contains("object") ? event["object"] : json::object();
            if (type == "ERROR") {
              rv.clear();  // 410 Gone: list again
              return false;
            }
            if (object.contains("metadata")) {
              rv = object["metadata"].value("resourceVersion", rv);
            }
            if (type == "ADDED" || type == "MODIFIED" || type == "DELETED") {
              Update(object, type == "DELETED");
            }
            return !stop_.load();
          },
          &control_);
      if (!stop_ && !r.ok()) Failed("watch: " + r.Message());
    }
  }
  void Failed(const std::string& error) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = error;
    }
    std::this_thread::sleep_for(200ms);  // back off before the next try
  }

  std::unique_ptr<mm::kube::KubeClient> client_;
  const std::string ns_;
  const std::function<bool(const json&)> right_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Seen> monitors_;
  int right_count_ = 0;
  std::string last_error_;
  std::atomic<bool> stop_{false};
  mm::kube::WatchControl control_;
  std::thread thread_;
};

// The last lines of a log, for a failure message.
std::string Tail(const std::string& text, int lines) {
  size_t pos = text.size();
  for (int i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

}  // namespace

int main(int argc, char** argv) {
  mm::bench::StartBenchmark("operator_scale_bench");
  CLI::App app{"operator scale benchmark (real control plane)"};
  int monitors = 1000, pods = 10000, threads = 8, changes = 20, idle_seconds = 15;
  int timeout_seconds = 600;
  app.add_option("--monitors", monitors)->capture_default_str()->check(CLI::Range(1, 1000000));
  app.add_option("--pods", pods)->capture_default_str()->check(CLI::Range(0, 10000000));
  app.add_option("--threads", threads, "parallel creators")->capture_default_str();
  app.add_option("--changes", changes, "spec changes timed")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--idle-seconds", idle_seconds,
                 "each of the two windows after convergence in which CPU is measured (default: "
                 "the operator's --evaluation-interval, so each window holds one round)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--timeout", timeout_seconds, "seconds to wait for convergence")
      ->capture_default_str();
  std::vector<std::string> operator_args;
  app.add_option("--operator-arg", operator_args,
                 "one more flag for the operator, e.g. --operator-arg=--workers=8 (repeatable)");
  CLI11_PARSE(app, argc, argv);

  auto t0 = Clock::now();
  auto cp_or = mm::testing::ControlPlane::Start({});
  if (!cp_or) Fail("the control plane did not start: " + cp_or.error().message);
  auto& cp = *cp_or.value();
  mm::testing::InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();
  const std::string ns = "bench";
  auto created_ns = admin->Create("/api/v1/namespaces", {{"metadata", {{"name", ns}}}});
  Require(created_ns.ok(), "namespace " + ns + ": " + created_ns.Message());
  // The ServiceAccount admission needs the namespace's default ServiceAccount.
  Require(
      mm::testing::WaitFor(
          [&] { return admin->Get("/api/v1/namespaces/bench/serviceaccounts/default").ok(); }, 60s),
      "namespace bench never got its default ServiceAccount");
  std::printf("control plane up in %.1f s; creating %d monitors and %d pods\n",
              Seconds(Clock::now() - t0), monitors, pods);

  t0 = Clock::now();
  CreateAll(cp, monitors, threads, "ModelMonitors", [&](int i) {
    return std::make_pair(
        ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
        mm::testing::ModelMonitor("m" + std::to_string(i),
                                  {{"matchLabels", {{"model", "m" + std::to_string(i)}}}}));
  });
  const double monitors_s = Seconds(Clock::now() - t0);
  t0 = Clock::now();
  CreateAll(cp, pods, threads, "pods", [&](int i) {
    return std::make_pair(
        ResourcePath{"v1", "pods", ns}.Url(),
        mm::testing::Pod("p" + std::to_string(i), {{"model", "m" + std::to_string(i % monitors)}},
                         i % 2 == 0 ? "m" + std::to_string(i % monitors) : ""));
  });
  const double pods_s = Seconds(Clock::now() - t0);
  std::printf("created %d monitors in %.1f s (%.0f/s), %d pods in %.1f s (%.0f/s)\n", monitors,
              monitors_s, monitors / monitors_s, pods, pods_s, pods / std::max(pods_s, 1e-9));

  // Baseline 1: the bytes of what the operator caches, as the API serves them.
  size_t data_bytes = 0;
  for (const auto& collection : {ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns},
                                 ResourcePath{"v1", "pods", ns}}) {
    auto list = mm::kube::ListAll(*admin, collection, 500);
    Require(list.ok(), "listing " + collection.Url() + ": " + list.failure.Message());
    for (const auto& item : list.items) data_bytes += item.dump().size();
  }

  // Right: the monitor counts the pods it selects and the injected ones among them.
  auto right = [&](const json& m) {
    const std::string name = m["metadata"].value("name", "");
    const int i = std::stoi(name.substr(1));
    const int matched = pods / monitors + (i < pods % monitors ? 1 : 0);
    int injected = 0;
    for (int j = i; j < pods; j += monitors) injected += j % 2 == 0;
    const json st = m.value("status", json::object()).value("pods", json::object());
    return st.value("matched", -1) == matched && st.value("injected", -1) == injected;
  };
  MonitorStatusWatch watch(cp.AdminClient(), ns, right);

  // The operator binary, as operator_binary_test runs it outside a cluster.
  const auto started = Clock::now();
  std::vector<std::string> args = {"--kubeconfig=" + cp.kubeconfig(),
                                   "--namespace=" + ns,
                                   "--leader-elect-namespace=" + ns,
                                   "--health-address=127.0.0.1",
                                   "--health-port=0",
                                   "--log-level=info",
                                   "--webhook-address=127.0.0.1",
                                   "--webhook-port=0",
                                   "--webhook-url=https://127.0.0.1:{port}/mutate-v1-pod",
                                   "--webhook-namespace=" + ns,
                                   "--api-address=127.0.0.1",
                                   "--api-port=0"};
  args.insert(args.end(), operator_args.begin(), operator_args.end());
  mm::testing::OperatorProcess op("scale-bench", args);
  auto fail_with_log = [&](const std::string& reason) {
    Fail(reason + "; the operator's log: " + op.log_path() + ", its last lines:\n" +
         Tail(op.Log(), 5));
  };
  std::printf("operator started (pid %d, log %s); waiting for %d statuses\n", op.pid(),
              op.log_path().c_str(), monitors);
  int right_now = 0;
  for (auto last_print = started;;) {
    right_now = watch.WaitRight(monitors, 1s);
    if (right_now >= monitors) break;
    if (!op.Running()) {
      fail_with_log(Format("the operator %s with %d of %d statuses right", op.HowItEnded().c_str(),
                           right_now, monitors));
    }
    if (Clock::now() - started > std::chrono::seconds(timeout_seconds)) {
      fail_with_log(Format("not converged after %d s: %d of %d statuses right%s", timeout_seconds,
                           right_now, monitors,
                           watch.last_error().empty()
                               ? ""
                               : (" (status watch: " + watch.last_error() + ")").c_str()));
    }
    if (Clock::now() - last_print >= 5s) {
      std::printf("  %5.1f s: %d of %d statuses right\n", Seconds(Clock::now() - started),
                  right_now, monitors);
      last_print = Clock::now();
    }
  }
  const double converge_s = Seconds(Clock::now() - started);
  const ProcStats after_sync = Stats(op.pid());
  std::printf("converged in %.1f s; measuring CPU for 2 x %d s\n", converge_s, idle_seconds);
  // Measurement windows, not synchronisation: the first after convergence
  // still carries the tail of the startup work (Events being posted, no-op
  // reconciles of the operator's own status writes); the second is steady state.
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  const ProcStats tail = Stats(op.pid());
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  const ProcStats idle = Stats(op.pid());
  if (!op.Running()) fail_with_log("the operator " + op.HowItEnded() + " after converging");

  // Baseline 2: one GET + status PUT by this program.
  const ResourcePath m0{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m0"};
  std::vector<double> direct, latency;
  for (int k = 0; k < changes; ++k) {
    auto t = Clock::now();
    auto got = admin->Get(m0.Url());
    Require(got.ok(), "GET " + m0.Url() + ": " + got.Message());
    auto put = admin->Replace(m0.Url() + "/status", got.body);
    Require(put.ok(), "PUT " + m0.Url() + "/status: " + put.Message());
    direct.push_back(Seconds(Clock::now() - t) * 1000);
  }
  for (int k = 0; k < changes; ++k) {
    const std::string name = "m" + std::to_string(k % monitors);
    const ResourcePath path{"modelmonitor.io/v1alpha1", "modelmonitors", ns, name};
    auto t = Clock::now();
    auto r = admin->Patch(path.Url(), {{"spec", {{"note", std::to_string(k)}}}},
                          mm::kube::PatchType::kMerge);
    Require(r.ok(), "spec change of " + name + ": " + r.Message());
    const int64_t gen = r.body["metadata"].value("generation", int64_t{0});
    if (!watch.WaitGeneration(name, gen, 30s)) {
      fail_with_log(Format("%s: status.observedGeneration did not reach %lld within 30 s",
                           name.c_str(), static_cast<long long>(gen)));
    }
    latency.push_back(Seconds(Clock::now() - t) * 1000);
  }
  std::sort(direct.begin(), direct.end());
  std::sort(latency.begin(), latency.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  };
  op.Signal(SIGTERM);
  const int exit_code = op.Wait(30s);
  if (exit_code != 0)
    fail_with_log("the operator did not stop cleanly on SIGTERM: " + op.HowItEnded());

  using mm::bench::Checked;
  const double rss_mib = Checked("VmRSS after sync", after_sync.rss_kb / 1024.0, 1);
  const double hwm_mib = Checked("VmHWM after sync", after_sync.hwm_kb / 1024.0, rss_mib);
  const double sync_cpu = Checked("CPU to converge", after_sync.cpu_seconds, 0.001);
  const double tail_cores = Checked(
      "CPU after convergence", (tail.cpu_seconds - after_sync.cpu_seconds) / idle_seconds, 0, 64);
  const double idle_cores =
      Checked("CPU at steady idle", (idle.cpu_seconds - tail.cpu_seconds) / idle_seconds, 0, 64);
  const double p50 = Checked("spec -> status p50", pct(latency, 0.5), 0.01);
  const double p95 = Checked("spec -> status p95", pct(latency, 0.95), p50);
  const double direct_p50 = Checked("direct GET+PUT p50", pct(direct, 0.5), 0.01);

  std::printf("operator: %d monitors, %d pods (half injected), cached data %.1f MiB as JSON\n",
              monitors, pods, static_cast<double>(data_bytes) / (1 << 20));
  std::printf("  start -> all %d statuses right: %.1f s\n", monitors, converge_s);
  std::printf("  memory after sync: VmRSS %.1f MiB, VmHWM %.1f MiB (ratio to cached JSON: %.2fx)\n",
              rss_mib, hwm_mib,
              after_sync.rss_kb * 1024.0 / static_cast<double>(std::max<size_t>(data_bytes, 1)));
  std::printf(
      "  CPU: %.2f s to sync and reconcile all; next %d s %.3f cores; steady idle %.3f "
      "cores (VmRSS %.1f MiB)\n",
      sync_cpu, idle_seconds, tail_cores, idle_cores, idle.rss_kb / 1024.0);
  std::printf(
      "  spec change -> status: p50 %.1f ms, p95 %.1f ms over %d changes "
      "(direct GET+PUT p50 %.1f ms: ratio %.1fx)\n",
      p50, p95, changes, direct_p50, p50 / direct_p50);
  mm::bench::Row(
      Format("operator, %s monitors × %s pods", Grouped(monitors).c_str(), Grouped(pods).c_str()),
      Format("converged in %.1f s, %.0f MiB RSS, idle %.3f cores; spec → status p50 "
             "%.1f ms, p95 %.1f ms",
             converge_s, rss_mib, idle_cores, p50, p95),
      Format("a direct GET + status PUT of one monitor: p50 %.1f ms", direct_p50));
  return 0;
}
