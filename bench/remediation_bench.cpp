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
// Every trial must roll back: one that does not ends the run with the reason
// (the alert's last status) and exit status 1.
//
//   build/bench/remediation_bench --intervals 250ms,1s,5s --trials 3
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <thread>

#include "bench/figures.h"
#include "common/api/duration.h"
#include "common/api/monitor_tokens.h"
#include "common/kube/resource_path.h"
#include "common/log.h"
#include "operator/controller.h"
#include "operator/options.h"
#include "operator/webhook/annotations.h"
#include "tests/support/control_plane.h"
#include "tests/support/controllable_model.h"
#include "tests/support/http_call.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/played_kubelet.h"
#include "tests/support/wait.h"

using mm::bench::Fail;
using mm::bench::Format;
using mm::bench::Require;
using mm::kube::ResourcePath;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

constexpr double kThreshold = 0.15;  // seconds; the slow model answers after 0.3 s

// The pod template as the webhook leaves it: the operator asks only pods that
// carry its injection annotation for snapshots.
json Template(const std::string& image, uint16_t data_port, uint16_t admin_port) {
  return {{"metadata",
           {{"labels", {{"app", "m"}}},
            {"annotations", {{mm::webhook::kInjectedAnnotation, "m@bench"}}}}},
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
  double crossed_to_patched_ms = 0;
  double api_round_trip_ms = 0;
};

// Creates `object`; a failure ends the run.
void MustCreate(mm::kube::KubeClient& admin, const std::string& collection, const json& object) {
  auto r = admin.Create(collection, object);
  Require(r.ok(), "creating " + object["metadata"].value("name", "") + " in " + collection + ": " +
                      r.Message());
}

Trial RunTrial(mm::kube::KubeClient& admin, std::chrono::milliseconds interval, int index) {
  Trial out;
  const std::string ns = mm::testing::CreateNamespace(admin, "bench-rem");
  const uint16_t data_port = static_cast<uint16_t>(31000 + (getpid() % 500) * 8 + index * 2);
  const uint16_t admin_port = static_cast<uint16_t>(data_port + 1);
  MustCreate(admin, ResourcePath{"v1", "secrets", ns}.Url(),
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
  // Its sidecars are spawned, not forked with PR_SET_PDEATHSIG: a failure stops them.
  mm::bench::CleanupOnFailure stop_sidecars([&] { kubelet.Stop(); });
  const ResourcePath dep{"apps/v1", "deployments", ns, "m"};
  MustCreate(admin, ResourcePath{"apps/v1", "deployments", ns}.Url(),
             {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", "m"}}},
              {"spec",
               {{"replicas", 2},
                {"selector", {{"matchLabels", {{"app", "m"}}}}},
                {"template", Template("model:1", data_port, admin_port)}}}});
  Require(mm::testing::WaitFor([&] { return kubelet.Ready().size() == 2; }, 60s),
          Format("revision 1 never ran: %zu of 2 pods Ready after 60 s (namespace %s)",
                 kubelet.Ready().size(), ns.c_str()));
  MustCreate(admin, ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(),
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
  // The alert as the operator last wrote it, for a failure message.
  auto alert = [&] {
    auto m = admin.Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "m"}.Url());
    auto alerts = m.body.value("status", json::object()).value("alerts", json::array());
    return alerts.empty() ? json::object() : alerts[0];
  };

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
  if (!mm::testing::WaitFor([&] { return alert().value("state", "") == "Inactive"; }, 60s, 50ms)) {
    Fail("revision 1's alert was never evaluated Inactive within 60 s; its status: " +
         alert().dump());
  }

  // Baseline: this program's own GET + patch round trip of the Deployment.
  {
    const auto t0 = Clock::now();
    auto d = admin.Get(dep.Url());
    // A merge patch guarded by the read resourceVersion (a conflict fails it), as a
    // rollback writes; it needs no annotations to exist yet, unlike a JSON patch's add.
    auto r = admin.Patch(dep.Url(),
                         {{"metadata",
                           {{"resourceVersion", d.body["metadata"].value("resourceVersion", "")},
                            {"annotations", {{"bench", "1"}}}}}},
                         mm::kube::PatchType::kMerge);
    Require(d.ok() && r.ok(), "the baseline GET + patch of the Deployment failed: " +
                                  (d.ok() ? r.Message() : d.Message()));
    out.api_round_trip_ms = Ms(Clock::now() - t0);
  }

  auto deployed =
      admin.Patch(dep.Url(), {{"spec", {{"template", Template("model:2", data_port, admin_port)}}}},
                  mm::kube::PatchType::kMerge);
  Require(deployed.ok(), "deploying revision 2: " + deployed.Message());
  auto image = [&] {
    auto d = admin.Get(dep.Url());
    return d.body["spec"]["template"]["spec"]["containers"][0].value("image", "");
  };
  const bool rolled_back = mm::testing::WaitFor([&] { return image() == "model:1"; }, 60s, 5ms);
  const auto patched = Clock::now();
  stop = true;
  for (auto& c : clients) c.join();
  controller.Stop();
  kubelet.Stop();
  if (!rolled_back) {
    Fail(Format(
        "not rolled back within 60 s of deploying revision 2 (%s); the alert: %s",
        first_slow_ns.load() == 0 ? "no client saw a slow response" : "clients saw slow responses",
        alert().dump().c_str()));
  }
  Require(first_slow_ns.load() != 0,
          "rolled back, but no client saw a slow response of revision 2 before: nothing to time");
  const Clock::time_point crossed{Clock::duration(first_slow_ns.load())};
  out.crossed_to_patched_ms = Ms(patched - crossed);
  admin.Delete(ResourcePath{"v1", "namespaces", "", ns}.Url());
  return out;
}

}  // namespace

// "280 ms", "1.44 s": the README's way of writing a duration.
std::string Readable(double ms) {
  return ms < 1000 ? Format("%.0f ms", ms) : Format("%.*f s", ms < 10000 ? 2 : 1, ms / 1000);
}

int main(int argc, char** argv) {
  mm::bench::StartBenchmark("remediation_bench");
  CLI::App app{"remediation_bench: threshold crossed -> Deployment patched"};
  std::string intervals_text = "250ms,1s,5s";
  int trials = 3;
  app.add_option("--intervals", intervals_text, "Evaluation intervals to try, comma separated");
  app.add_option("--trials", trials, "Rollbacks per interval")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  mm::log::SetMinLevel(mm::log::Level::kError);
  std::vector<std::pair<std::string, int64_t>> intervals;
  std::stringstream list(intervals_text);
  for (std::string item; std::getline(list, item, ',');) {
    const auto parsed = mm::api::ParseMilliseconds(item);
    const int64_t ms = parsed ? parsed->count() : 0;
    if (ms <= 0) {
      std::fprintf(stderr, "--intervals: \"%s\" is not a duration (use 250ms, 1s, 5s)\n",
                   item.c_str());
      return 2;
    }
    intervals.emplace_back(item, ms);
  }

  auto cp_or = mm::testing::ControlPlane::Start({});
  if (!cp_or) Fail("the control plane did not start: " + cp_or.error().message);
  auto& cp = *cp_or.value();
  mm::testing::InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();

  std::printf("%-10s %-6s %-22s %-22s %-10s\n", "interval", "trial", "crossed->patched ms",
              "API GET+patch ms", "ratio/interval");
  std::vector<std::string> medians, names;
  double api_min = HUGE_VAL, api_max = 0;
  int index = 0;
  for (const auto& [name, ms] : intervals) {
    std::vector<double> got;
    for (int t = 0; t < trials; ++t) {
      const Trial r = RunTrial(*admin, std::chrono::milliseconds(ms), index++ % 40);
      const double crossed = mm::bench::Checked("crossed->patched", r.crossed_to_patched_ms, 0);
      const double api = mm::bench::Checked("API GET+patch", r.api_round_trip_ms, 0.01);
      std::printf("%-10s %-6d %-22.0f %-22.1f %-10.2f\n", name.c_str(), t + 1, crossed, api,
                  crossed / static_cast<double>(ms));
      got.push_back(crossed);
      api_min = std::min(api_min, api);
      api_max = std::max(api_max, api);
    }
    std::sort(got.begin(), got.end());
    std::printf(
        "%-10s median crossed->patched %.0f ms (interval %lld ms; expected about "
        "interval/2 + one snapshot pull + API round trips)\n",
        name.c_str(), got[got.size() / 2], static_cast<long long>(ms));
    medians.push_back(Readable(got[got.size() / 2]));
    names.push_back(name);
  }
  auto joined = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " / ") + s;
    return out;
  };
  mm::bench::Row("threshold crossed → Deployment rolled back",
                 Format("%s (median of %d) at `--evaluation-interval` %s", joined(medians).c_str(),
                        trials, joined(names).c_str()),
                 Format("a direct GET + patch of the Deployment: %.0f–%.0f ms", api_min, api_max));
  return 0;
}
