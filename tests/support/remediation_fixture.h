#pragma once

// The fixture of the alert and remediation end-to-end tests on the real control
// plane (tests/integration/remediation_test.cpp, alertmanager_test.cpp): a
// namespace with the monitor's token Secret, a played kubelet running a real
// sidecar per pod in front of ControllableModels, traffic through the sidecars,
// and operators (op::Controller) started in-process with short intervals.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/api/monitor_tokens.h"
#include "common/kube/resource_path.h"
#include "common/kube/rest_kube_client.h"
#include "operator/controller.h"
#include "tests/support/control_plane.h"
#include "tests/support/controllable_model.h"
#include "tests/support/deployments.h"
#include "tests/support/http_call.h"
#include "tests/support/namespaced_operator.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/played_kubelet.h"
#include "tests/support/wait.h"

namespace mm::testing {

using namespace std::chrono_literals;

inline constexpr const char* kAdminToken = "admin-token-for-tests";

inline int64_t Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class RemediationFixture : public ::testing::Test {
 protected:
  using json = nlohmann::json;
  using ResourcePath = kube::ResourcePath;
  using Model = ControllableModel;
  static void SetUpTestSuite() { InstallModelMonitorCrd(ControlPlaneEnvironment::Get()); }

  void SetUp() override {
    admin_ = ControlPlaneEnvironment::Get().AdminClient();
    operator_client_ = ControlPlaneEnvironment::Get().OperatorClient();
    ns_ = CreateNamespace(*admin_, "rem");
    // Ports every pod's sidecar uses on its own 127.0.0.N (as in a pod template).
    const auto seed = static_cast<uint16_t>(::getpid() % 2000);
    data_port_ = static_cast<uint16_t>(21000 + 4 * seed + 2 * (test_index_ % 2));
    admin_port_ = static_cast<uint16_t>(data_port_ + 1);
    ++test_index_;
    json secret = {{"apiVersion", "v1"},
                   {"kind", "Secret"},
                   {"metadata", {{"name", api::TokenSecretName("fraud")}}},
                   {"stringData", {{"admin-token", kAdminToken}, {"label-token", "l"}}}};
    ASSERT_TRUE(admin_->Create(ResourcePath{"v1", "secrets", ns_}.Url(), secret).ok());
  }

  void TearDown() override {
    stop_traffic_ = true;
    for (auto& t : traffic_) t.join();
    for (auto& c : operators_) {
      if (c) c->Stop();
    }
    if (kubelet_) kubelet_->Stop();
  }

  // The pod template as it looks once the webhook injected the sidecar.
  json Template(const std::string& image) const {
    return {{"metadata",
             {{"labels", {{"app", "fraud"}}},
              {"annotations", {{"modelmonitor.io/injected", "fraud@test"}}}}},
            {"spec",
             {{"initContainers",
               {{{"name", "modelmonitor-sidecar"},
                 {"image", "modelmonitor/sidecar:test"},
                 {"restartPolicy", "Always"},
                 {"ports",
                  {{{"name", "mm-data"}, {"containerPort", data_port_}},
                   {{"name", "mm-admin"}, {"containerPort", admin_port_}}}}}}},
              {"containers",
               {{{"name", "model"},
                 {"image", image},
                 {"ports", {{{"name", "model-http"}, {"containerPort", 8000}}}}}}}}}};
  }

  void CreateDeployment(const std::string& image, int replicas = 2) {
    const json d = testing::Deployment("fraud", replicas, Template(image), {{"app", "fraud"}});
    auto r = admin_->Create(ResourcePath{"apps/v1", "deployments", ns_}.Url(), d);
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  // A new revision of the Deployment: its model container runs `image`.
  void DeployImage(const std::string& image) {
    json containers = Template(image)["spec"]["containers"];
    auto r = admin_->Patch(ResourcePath{"apps/v1", "deployments", ns_, "fraud"}.Url(),
                           {{"spec", {{"template", {{"spec", {{"containers", containers}}}}}}}},
                           kube::PatchType::kStrategicMerge);
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  json Deployment() {
    return admin_->Get(ResourcePath{"apps/v1", "deployments", ns_, "fraud"}.Url()).body;
  }
  static std::string ImageOf(const json& pod_or_deployment) {
    const json& spec = pod_or_deployment.contains("template")
                           ? pod_or_deployment["template"]["spec"]
                           : pod_or_deployment["spec"];
    return spec["containers"][0].value("image", "");
  }
  std::string DeploymentImage() { return ImageOf(Deployment()["spec"]); }

  // Plays the kubelet: image model:N runs in front of models[N].
  void StartKubelet(std::map<std::string, Model*> models, std::vector<std::string> env = {}) {
    PlayedKubelet::Options o;
    o.env = std::move(env);
    o.ns = ns_;
    o.label_selector = "app=fraud";
    o.data_port = data_port_;
    o.admin_port = admin_port_;
    o.admin_token = kAdminToken;
    o.upstream = [models](const json& pod) {
      auto it = models.find(ImageOf(pod));
      return it == models.end() ? std::string("127.0.0.1:1") : it->second->address();
    };
    kubelet_ = std::make_unique<PlayedKubelet>(*admin_, o);
    kubelet_->Start();
  }

  // Clients sending requests to every Ready pod's sidecar, round robin, as a Service would.
  void StartTraffic(int threads = 4) {
    for (int t = 0; t < threads; ++t) {
      traffic_.emplace_back([this, t] {
        size_t i = static_cast<size_t>(t);
        while (!stop_traffic_) {
          auto pods = kubelet_->Ready();
          if (pods.empty()) {
            std::this_thread::sleep_for(20ms);  // no endpoint yet: what a client would do
            continue;
          }
          const auto& pod = pods[i++ % pods.size()];
          HttpCall(pod.ip, data_port_, "POST", "/predict", "{\"x\":[1,2]}",
                   {{"content-type", "application/json"}}, 3s);
          ++sent_;
        }
      });
    }
  }

  static json Spec(const json& alert, const json& remediation) {
    return {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
            {"target", {{"kind", "Deployment"}, {"name", "fraud"}}},
            {"serving", {{"port", "model-http"}}},
            {"alerts", {alert}},
            {"remediation", remediation}};
  }
  void CreateMonitor(const json& alert, const json& remediation) {
    CreateMonitor(Spec(alert, remediation));
  }
  void CreateMonitor(const json& spec) {
    json m = {{"apiVersion", "modelmonitor.io/v1alpha1"},
              {"kind", "ModelMonitor"},
              {"metadata", {{"name", "fraud"}}},
              {"spec", spec}};
    auto r =
        admin_->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_}.Url(), m);
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  void PatchRemediation(const json& remediation) {
    auto r =
        admin_->Patch(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url(),
                      {{"spec", {{"remediation", remediation}}}}, kube::PatchType::kMerge);
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  json Monitor() {
    return admin_
        ->Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url())
        .body;
  }
  json Alert() {
    json m = Monitor();
    const json alerts = m.value("status", json::object()).value("alerts", json::array());
    return alerts.empty() ? json::object() : alerts[0];
  }
  json Remediations() {
    return Monitor().value("status", json::object()).value("remediations", json::array());
  }
  bool AlertIs(const std::string& state) { return Alert().value("state", "") == state; }
  bool WaitAlert(const std::string& state, std::chrono::milliseconds timeout = 60s) {
    return WaitFor([&] { return AlertIs(state); }, timeout, 50ms);
  }

  int StartOperator(const std::string& identity) {
    op::ControllerOptions o = NamespacedControllerOptions(ns_, identity);
    o.leader.lease_duration = 4s;
    o.leader.renew_deadline = 3s;
    o.leader.retry_period = 500ms;
    o.evaluation_interval = 500ms;
    o.snapshot_timeout = 2s;
    operators_.push_back(std::make_unique<op::Controller>(*operator_client_, o, nullptr));
    operators_.back()->Start();
    return static_cast<int>(operators_.size()) - 1;
  }

  std::vector<json> Jobs() {
    ResourcePath p{"batch/v1", "jobs", ns_};
    p.query["labelSelector"] = "modelmonitor.io/monitor=fraud";
    auto r = admin_->Get(p.Url());
    std::vector<json> out;
    for (const auto& j : r.body.value("items", json::array())) out.push_back(j);
    return out;
  }
  std::vector<json> Events(const std::string& reason) {
    auto r = admin_->Get(ResourcePath{"events.k8s.io/v1", "events", ns_}.Url());
    std::vector<json> out;
    for (const auto& e : r.body.value("items", json::array())) {
      if (e.value("reason", "") == reason) out.push_back(e);
    }
    return out;
  }
  bool WaitEvent(const std::string& reason, std::chrono::milliseconds timeout = 20s) {
    return WaitFor([&] { return !Events(reason).empty(); }, timeout, 100ms);
  }
  // Waits for `rounds` more evaluations of the operator at `index`.
  bool WaitRounds(int index, int rounds) {
    const int64_t target = operators_[static_cast<size_t>(index)]->evaluation_rounds() + rounds;
    return WaitFor(
        [&] { return operators_[static_cast<size_t>(index)]->evaluation_rounds() >= target; }, 30s,
        50ms);
  }

  static json RetrainTemplate() {
    return {{"spec",
             {{"backoffLimit", 0},
              {"template",
               {{"spec",
                 {{"restartPolicy", "Never"},
                  {"containers", {{{"name", "train"}, {"image", "trainer:1"}}}}}}}}}}};
  }
  static json ErrorRateAlert(const std::string& action, int min_samples = 10) {
    return {{"name", "errors"},          {"metric", "error_rate"}, {"op", ">"},
            {"threshold", 0.5},          {"window", "10s"},        {"for", "0s"},
            {"minSamples", min_samples}, {"action", action}};
  }

  static inline int test_index_ = 0;
  std::unique_ptr<kube::RestKubeClient> admin_;
  std::unique_ptr<kube::RestKubeClient> operator_client_;  // the in-process operators'

  std::string ns_;
  uint16_t data_port_ = 0, admin_port_ = 0;
  std::unique_ptr<PlayedKubelet> kubelet_;
  std::vector<std::unique_ptr<op::Controller>> operators_;
  std::vector<std::thread> traffic_;
  std::atomic<bool> stop_traffic_{false};
  std::atomic<int64_t> sent_{0};
};

}  // namespace mm::testing
