// Time from a latency threshold being crossed to the target Deployment being
// patched back (rollback), against the real control plane (etcd,
// kube-apiserver, kube-controller-manager). Each trial: a Deployment at
// revision 1 in front of a fast model, real sidecar processes on 127.0.0.N
// (the played kubelet of the integration tests), traffic, the operator
// in-process with --evaluation-interval I; then revision 2 in front of a slow
// model. "Crossed" is the moment the first slow response reaches a client
// (with `for: 0s` and minSamples 1 the alert's condition holds from then);
// "patched" is when a GET of the Deployment first shows revision 1's template.
// Baseline measured in the same run: one GET + JSON-patch round trip of the
// Deployment by this program (the floor of any rollback), and the interval
// itself (a decision waits on average half an interval for the next round).
//
//   build/bench/remediation_bench --intervals 250ms,1s,5s --trials 3
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "common/api/duration.h"
#include "common/api/monitor_tokens.h"
#include "common/kube/resource_path.h"
#include "common/log.h"
#include "operator/controller.h"
#include "operator/options.h"
#include "tests/support/control_plane.h"
#include "tests/support/controllable_model.h"
#include "tests/support/http_call.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/played_kubelet.h"
#include "tests/support/wait.h"

using mm::kube::ResourcePath;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

constexpr double kThreshold = 0.15;  // seconds; the slow model answers after 0.3 s

json Template(const std::string& image, uint16_t data_port, uint16_t admin_port) {
  return {{"metadata", {{"labels", {{"app", "m"}}}}},
          {"spec",
           {{"initContainers",
             {{{"name", "modelmonitor-sidecar"},
               {"image", "modelmonitor/sidecar:bench"},
               {"restartPolicy", "Always"},
               {"ports",
                {{{"name", "mm-data"}, {"containerPort", data_port}},
                 {{"name", "mm-admin"}, {"containerPort", admin_port}}}}}}},
            {"containers", {{{"name", "model"}, {"image", image}}}}}}};
}

struct Trial {
  double crossed_to_patched_ms = -1;
  double api_round_trip_ms = -1;
};

Trial RunTrial(mm::kube::KubeClient& admin, std::chrono::milliseconds interval, int index) {
  Trial out;
  const std::string ns = mm::testing::CreateNamespace(admin, "bench-rem");
  const uint16_t data_port = static_cast<uint16_t>(31000 + (getpid() % 500) * 8 + index * 2);
  const uint16_t admin_port = static_cast<uint16_t>(data_port + 1);
  admin.Create(ResourcePath{"v1", "secrets", ns}.Url(),
               {{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"metadata", {{"name", mm::api::TokenSecretName("m")}}},
                {"stringData", {{"admin-token", "bench"}}}});
  mm::testing::ControllableModel good, slow;
  slow.delay_ms = 300;
  mm::testing::PlayedKubelet::Options ko;
  ko.ns = ns;
  ko.label_selector = "app=m";
  ko.data_port = data_port;
  ko.admin_port = admin_port;
  ko.admin_token = "bench";
  ko.upstream = [&](const json& pod) {
    return pod["spec"]["containers"][0].value("image", "") == "model:2" ? slow.address()
                                                                        : good.address();
  };
  mm::testing::PlayedKubelet kubelet(admin, ko);
  kubelet.Start();
  const ResourcePath dep{"apps/v1", "deployments", ns, "m"};
  admin.Create(ResourcePath{"apps/v1", "deployments", ns}.Url(),
               {{"apiVersion", "apps/v1"},
                {"kind", "Deployment"},
                {"metadata", {{"name", "m"}}},
                {"spec",
                 {{"replicas", 2},
                  {"selector", {{"matchLabels", {{"app", "m"}}}}},
                  {"template", Template("model:1", data_port, admin_port)}}}});
  if (!mm::testing::WaitFor([&] { return kubelet.Ready().size() == 2; }, 60s)) {
    std::cerr << "revision 1 never ran\n";
    return out;
  }
  admin.Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
               {{"apiVersion", "modelmonitor.io/v1alpha1"},
                {"kind", "ModelMonitor"},
                {"metadata", {{"name", "m"}}},
                {"spec",
                 {{"selector", {{"matchLabels", {{"app", "m"}}}}},
                  {"target", {{"kind", "Deployment"}, {"name", "m"}}},
                  {"alerts",
                   {{{"name", "slow"},
                     {"metric", "latency_p99_seconds"},
                     {"op", ">"},
                     {"threshold", kThreshold},
                     {"window", "10s"},
                     {"for", "0s"},
                     {"minSamples", 1},
                     {"action", "rollback"}}}},
                  {"remediation", {{"cooldown", "1h"}}}}}});

  mm::op::ControllerOptions o;
  o.watch_namespace = ns;
  o.identity = "bench-" + ns;
  o.leader.lease_namespace = ns;
  o.evaluation_interval = interval;
  o.snapshot_timeout = 2s;
  mm::op::Controller controller(admin, o, nullptr);
  controller.Start();

  std::atomic<bool> stop{false};
  std::atomic<int64_t> first_slow_ns{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      size_t i = static_cast<size_t>(t);
      while (!stop) {
        auto pods = kubelet.Ready();
        if (pods.empty()) {
          std::this_thread::sleep_for(10ms);
          continue;
        }
        const auto& pod = pods[i++ % pods.size()];
        const auto start = Clock::now();
        mm::testing::HttpCall(pod.ip, data_port, "POST", "/predict", "{}", {}, 3s);
        const auto end = Clock::now();
        if (std::chrono::duration<double>(end - start).count() > kThreshold) {
          int64_t expected = 0;
          first_slow_ns.compare_exchange_strong(expected, end.time_since_epoch().count());
        }
      }
    });
  }
  // A quiet start: the alert is evaluated as Inactive first.
  mm::testing::WaitFor(
      [&] {
        auto m =
            admin.Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m"}.Url());
        auto alerts = m.body.value("status", json::object()).value("alerts", json::array());
        return !alerts.empty() && alerts[0].value("state", "") == "Inactive";
      },
      60s, 50ms);

  // Baseline: this program's own GET + patch round trip of the Deployment.
  {
    const auto t0 = Clock::now();
    auto d = admin.Get(dep.Url());
    admin.Patch(
        dep.Url(),
        json::array({{{"op", "test"},
                      {"path", "/metadata/resourceVersion"},
                      {"value", d.body["metadata"].value("resourceVersion", "")}},
                     {{"op", "add"}, {"path", "/metadata/annotations/bench"}, {"value", "1"}}}),
        mm::kube::PatchType::kJson);
    out.api_round_trip_ms = Ms(Clock::now() - t0);
  }

  admin.Patch(dep.Url(), {{"spec", {{"template", Template("model:2", data_port, admin_port)}}}},
              mm::kube::PatchType::kMerge);
  auto image = [&] {
    auto d = admin.Get(dep.Url());
    return d.body["spec"]["template"]["spec"]["containers"][0].value("image", "");
  };
  mm::testing::WaitFor([&] { return image() == "model:2"; }, 10s, 10ms);
  const bool rolled_back = mm::testing::WaitFor([&] { return image() == "model:1"; }, 60s, 5ms);
  const auto patched = Clock::now();
  stop = true;
  for (auto& c : clients) c.join();
  controller.Stop();
  kubelet.Stop();
  if (rolled_back && first_slow_ns.load() != 0) {
    const Clock::time_point crossed{Clock::duration(first_slow_ns.load())};
    out.crossed_to_patched_ms = Ms(patched - crossed);
  }
  admin.Delete(ResourcePath{"v1", "namespaces", "", ns}.Url());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"remediation_bench: threshold crossed -> Deployment patched"};
  std::string intervals_text = "250ms,1s,5s";
  int trials = 3;
  app.add_option("--intervals", intervals_text, "Evaluation intervals to try, comma separated");
  app.add_option("--trials", trials, "Rollbacks per interval");
  CLI11_PARSE(app, argc, argv);
  mm::log::SetMinLevel(mm::log::Level::kError);

  auto cp_or = mm::testing::ControlPlane::Start({});
  if (!cp_or) {
    std::cerr << cp_or.error().message << "\n";
    return 1;
  }
  auto& cp = *cp_or.value();
  mm::testing::InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();

  std::printf("%-10s %-6s %-22s %-22s %-10s\n", "interval", "trial", "crossed->patched ms",
              "API GET+patch ms", "ratio/interval");
  std::stringstream list(intervals_text);
  std::string item;
  int index = 0;
  while (std::getline(list, item, ',')) {
    const auto parsed = mm::api::ParseMilliseconds(item);
    if (!parsed) {
      std::cerr << item << " is not a duration\n";
      return 2;
    }
    const int64_t ms = parsed->count();
    std::vector<double> got;
    for (int t = 0; t < trials; ++t) {
      Trial r = RunTrial(*admin, std::chrono::milliseconds(ms), index++ % 40);
      std::printf("%-10s %-6d %-22.0f %-22.1f %-10.2f\n", item.c_str(), t + 1,
                  r.crossed_to_patched_ms, r.api_round_trip_ms,
                  r.crossed_to_patched_ms / static_cast<double>(ms));
      if (r.crossed_to_patched_ms >= 0) got.push_back(r.crossed_to_patched_ms);
    }
    std::sort(got.begin(), got.end());
    if (!got.empty()) {
      std::printf(
          "%-10s median crossed->patched %.0f ms (interval %lld ms; expected about "
          "interval/2 + one snapshot pull + API round trips)\n",
          item.c_str(), got[got.size() / 2], static_cast<long long>(ms));
    }
  }
  return 0;
}
