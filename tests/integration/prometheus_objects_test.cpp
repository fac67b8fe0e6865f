// --prometheus-objects against the real control plane, in-process: without the
// Prometheus Operator's CRDs the monitor converges and the user is told once; with
// them (scripts/fetch-test-crds, the real v0.85 CRDs, strict validation) each
// ModelMonitor gets a PodMonitor and a PrometheusRule that follow spec.alerts, are
// written only when they differ, pass promtool, and go with the monitor (GC).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "common/kube/resource_path.h"
#include "operator/controller.h"
#include "tests/support/control_plane.h"
#include "tests/support/helm.h"
#include "tests/support/namespaced_operator.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

json Alerts(double slow_threshold, bool with_errors) {
  json alerts = json::array(
      {{{"name", "p99-slow"},
        {"metric", "latency_p99_seconds"},
        {"op", ">"},
        {"threshold", slow_threshold},
        {"for", "1m"},
        {"severity", "critical"}},
       {{"name", "drift"}, {"metric", "prediction_psi"}, {"op", ">"}, {"threshold", 0.2}}});
  if (with_errors) {
    alerts.push_back(
        {{"name", "errors"}, {"metric", "error_rate"}, {"op", ">="}, {"threshold", 0.05}});
  }
  return alerts;
}

class PrometheusObjectsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InstallModelMonitorCrd(ControlPlaneEnvironment::Get()); }

  void SetUp() override {
    admin_ = ControlPlaneEnvironment::Get().AdminClient();
    operator_client_ = ControlPlaneEnvironment::Get().OperatorClient();
    client_ = std::make_unique<InterceptingClient>(*operator_client_);
    client_->after = [this](const std::string& method, const std::string& path,
                            const kube::ApiResponse&) {
      if (method != "GET" && path.find("/apis/monitoring.coreos.com/") == 0) ++writes_;
    };
    ns_ = CreateNamespace(*admin_, "prom");
  }
  void TearDown() override {
    if (controller_) controller_->Stop();
  }

  void StartOperator() {
    op::ControllerOptions o = NamespacedControllerOptions(ns_, "test-" + ns_);
    o.prometheus_objects = true;
    o.prometheus_labels = {{"release", "kube-prometheus-stack"}};
    o.prometheus_discovery_recheck = 1s;
    controller_ = std::make_unique<op::Controller>(*client_, o, &metrics_);
    controller_->Start();
    ASSERT_TRUE(WaitFor([&] { return controller_->Working(); }, 60s)) << "never became leader";
  }

  bool Served() { return admin_->Get("/apis/monitoring.coreos.com/v1").ok(); }

  json CreateMonitor(const std::string& name, const json& alerts) {
    json m = ModelMonitor(name, {{"matchLabels", {{"app", name}}}});
    m["spec"]["alerts"] = alerts;
    auto r =
        admin_->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_}.Url(), m);
    EXPECT_TRUE(r.ok()) << r.Message();
    return r.body;
  }
  std::string Path(const std::string& resource, const std::string& name) const {
    return ResourcePath{"monitoring.coreos.com/v1", resource, ns_, name}.Url();
  }
  std::vector<json> Events(const std::string& name, const std::string& reason) {
    std::vector<json> out;
    auto r = admin_->Get(ResourcePath{"events.k8s.io/v1", "events", ns_}.Url());
    for (const auto& e : r.body.value("items", json::array())) {
      if (e["regarding"].value("name", "") == name && e.value("reason", "") == reason) {
        out.push_back(e);
      }
    }
    return out;
  }

  std::unique_ptr<kube::RestKubeClient> admin_;
  std::unique_ptr<kube::RestKubeClient> operator_client_;
  std::unique_ptr<InterceptingClient> client_;
  std::atomic<int> writes_{0};
  op::OperatorMetrics metrics_;
  std::unique_ptr<op::Controller> controller_;
  std::string ns_;
};

// Declared first: the next test installs the CRDs, which the control plane keeps.
TEST_F(PrometheusObjectsTest, WithoutTheCrdsTheMonitorConvergesAndTheUserIsToldOnce) {
  if (Served()) GTEST_SKIP() << "the Prometheus Operator CRDs are installed already";
  StartOperator();
  CreateMonitor("fraud", Alerts(0.25, true));
  ASSERT_TRUE(
      WaitFor([&] { return !Events("fraud", "PrometheusOperatorNotInstalled").empty(); }, 30s));
  const json monitor =
      admin_->Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url())
          .body;
  EXPECT_EQ(monitor["status"].value("observedGeneration", int64_t{0}), 1) << monitor.dump(2);
  // The reconciler looks again when discovery does (every second here), without
  // telling again or failing.
  const int64_t reconciles = controller_->reconciles();
  ASSERT_TRUE(WaitFor([&] { return controller_->reconciles() >= reconciles + 3; }, 30s));
  EXPECT_EQ(Events("fraud", "PrometheusOperatorNotInstalled").size(), 1u);
  EXPECT_TRUE(Events("fraud", "PrometheusObjectsFailed").empty());
  EXPECT_EQ(writes_.load(), 0);
  const auto note = Events("fraud", "PrometheusOperatorNotInstalled")[0].value("note", "");
  EXPECT_NE(note.find("install the Prometheus Operator's CRDs"), std::string::npos) << note;
}

TEST_F(PrometheusObjectsTest,
       ObjectsFollowSpecAlertsAreWrittenOnlyWhenTheyDifferAndGoWithTheMonitor) {
  const auto crds = std::filesystem::path(HelmPath()).parent_path().parent_path() / "crds";
  if (!std::filesystem::exists(crds / ".stamp")) {
    GTEST_SKIP() << crds << " is missing: run scripts/fetch-test-crds (`make test` runs it)";
  }
  for (const char* crd : {"podmonitors", "prometheusrules"}) {
    const std::string file = (crds / ("monitoring.coreos.com_" + std::string(crd) + ".yaml"));
    auto applied = Kubectl("apply --server-side -f " + ShellQuote(file));
    ASSERT_EQ(applied.exit_code, 0) << applied.output;
    auto established = Kubectl(std::string("wait --for condition=Established crd/") + crd +
                               ".monitoring.coreos.com --timeout=60s");
    ASSERT_EQ(established.exit_code, 0) << established.output;
  }
  ASSERT_TRUE(WaitFor([&] { return Served(); }, 30s));
  StartOperator();
  const json monitor = CreateMonitor("fraud", Alerts(0.25, true));
  const std::string uid = monitor["metadata"].value("uid", "");

  const std::string pm_path = Path("podmonitors", "fraud-modelmonitor");
  const std::string pr_path = Path("prometheusrules", "fraud-modelmonitor");
  ASSERT_TRUE(WaitFor([&] { return admin_->Get(pm_path).ok() && admin_->Get(pr_path).ok(); }, 30s));
  const json pm = admin_->Get(pm_path).body;
  EXPECT_EQ(pm["metadata"]["ownerReferences"][0]["uid"], uid);
  EXPECT_EQ(pm["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(pm["metadata"]["labels"]["app.kubernetes.io/managed-by"], "modelmonitor-operator");
  EXPECT_EQ(pm["metadata"]["labels"]["release"], "kube-prometheus-stack");
  EXPECT_EQ(pm["spec"]["selector"], json({{"matchLabels", {{"app", "fraud"}}}}));
  EXPECT_EQ(pm["spec"]["podMetricsEndpoints"][0]["port"], "mm-admin");
  EXPECT_EQ(pm["spec"]["podMetricsEndpoints"][0]["path"], "/metrics");
  EXPECT_EQ(pm["spec"]["podMetricsEndpoints"][0]["relabelings"][1]["targetLabel"], "modelmonitor");
  EXPECT_EQ(pm["spec"]["podMetricsEndpoints"][0]["relabelings"][1]["replacement"], "fraud");

  json pr = admin_->Get(pr_path).body;
  EXPECT_EQ(pr["metadata"]["ownerReferences"][0]["uid"], uid);
  const json rules = pr["spec"]["groups"][0]["rules"];
  ASSERT_EQ(rules.size(), 2u) << pr.dump(2);  // drift has no PromQL equivalent
  EXPECT_EQ(rules[0]["alert"], "ModelMonitorP99Slow");
  EXPECT_EQ(rules[0]["for"], "1m");
  EXPECT_EQ(rules[0]["labels"],
            json({{"modelmonitor_alert", "p99-slow"}, {"severity", "critical"}}));
  EXPECT_EQ(rules[0]["annotations"]["value"], "{{ $value }}");
  EXPECT_EQ(rules[0]["expr"],
            "histogram_quantile(0.99, sum by (namespace, modelmonitor, le) "
            "(rate(modelmonitor_sidecar_request_duration_seconds_bucket{namespace=\"" +
                ns_ +
                "\",modelmonitor=\"fraud\"}[5m]))) > 0.25\n  and on (namespace, modelmonitor) "
                "sum by (namespace, modelmonitor) "
                "(increase(modelmonitor_sidecar_request_duration_seconds_count{namespace=\"" +
                ns_ + "\",modelmonitor=\"fraud\"}[5m])) >= 20");
  EXPECT_EQ(rules[1]["labels"]["modelmonitor_alert"], "errors");

  ASSERT_TRUE(WaitFor([&] { return !Events("fraud", "PrometheusObjectsApplied").empty(); }, 10s));
  const auto note = Events("fraud", "PrometheusObjectsApplied")[0].value("note", "");
  EXPECT_NE(note.find("2 of 3 alerts"), std::string::npos) << note;
  EXPECT_NE(note.find("drift: prediction_psi"), std::string::npos) << note;
  EXPECT_EQ(writes_.load(), 2);

  // Prometheus' own checker accepts the rule group as stored (JSON is YAML).
  if (std::filesystem::exists("/usr/bin/promtool")) {
    const auto file = std::filesystem::temp_directory_path() / ("mm-rules-" + ns_ + ".json");
    std::ofstream(file) << json({{"groups", pr["spec"]["groups"]}}).dump(2);
    auto checked = Shell("/usr/bin/promtool check rules " + ShellQuote(file.string()));
    EXPECT_EQ(checked.exit_code, 0) << checked.text;
    std::filesystem::remove(file);
  } else {
    std::cout << "promtool not installed: the rules' PromQL was not checked\n";
  }

  // A pod event reconciles the monitor again: nothing to write.
  auto pod =
      admin_->Create(ResourcePath{"v1", "pods", ns_}.Url(), Pod("fraud-a", {{"app", "fraud"}}));
  ASSERT_TRUE(pod.ok()) << pod.Message();
  ASSERT_TRUE(WaitFor(
      [&] {
        const json m =
            admin_
                ->Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url())
                .body;
        return m["status"].value("pods", json::object()).value("matched", 0) == 1;
      },
      30s));
  EXPECT_EQ(writes_.load(), 2);

  // spec.alerts change: the rule follows, the PodMonitor is left alone.
  auto patched =
      admin_->Patch(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url(),
                    {{"spec", {{"alerts", Alerts(0.5, false)}}}}, kube::PatchType::kMerge);
  ASSERT_TRUE(patched.ok()) << patched.Message();
  ASSERT_TRUE(WaitFor(
      [&] {
        pr = admin_->Get(pr_path).body;
        const json r = pr["spec"]["groups"][0]["rules"];
        return r.size() == 1 &&
               r[0]["expr"].get<std::string>().find("> 0.5\n") != std::string::npos;
      },
      30s))
      << pr.dump(2);
  EXPECT_EQ(writes_.load(), 3);
  EXPECT_EQ(admin_->Get(pm_path).body["metadata"]["resourceVersion"],
            pm["metadata"]["resourceVersion"]);

  // spec.selector change: the PodMonitor follows, the rule is left alone.
  const json pr_before = admin_->Get(pr_path).body;
  patched =
      admin_->Patch(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url(),
                    {{"spec", {{"selector", {{"matchLabels", {{"app", "fraud-v2"}}}}}}}},
                    kube::PatchType::kMerge);
  ASSERT_TRUE(patched.ok()) << patched.Message();
  json pm_after;
  ASSERT_TRUE(WaitFor(
      [&] {
        pm_after = admin_->Get(pm_path).body;
        return pm_after["spec"]["selector"] == json({{"matchLabels", {{"app", "fraud-v2"}}}});
      },
      30s))
      << pm_after.dump(2);
  EXPECT_EQ(writes_.load(), 4);
  EXPECT_EQ(admin_->Get(pr_path).body["metadata"]["resourceVersion"],
            pr_before["metadata"]["resourceVersion"]);

  // Deleting the monitor deletes both (the garbage collector follows ownerReferences).
  auto deleted =
      admin_->Delete(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url());
  ASSERT_TRUE(deleted.ok()) << deleted.Message();
  EXPECT_TRUE(WaitFor(
      [&] { return admin_->Get(pm_path).status == 404 && admin_->Get(pr_path).status == 404; },
      60s));
}

}  // namespace
}  // namespace mm::testing
