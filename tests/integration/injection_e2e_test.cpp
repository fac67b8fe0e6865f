// Injection end to end, as the operator binary wires it, against the real
// control plane: the Controller (informers, reconciler) and the SidecarInjector
// (HTTPS, registered by URL on 127.0.0.1, monitors from the controller's cache).
// A Deployment selected by a ModelMonitor -> kube-controller-manager creates its
// pods -> they come back with the sidecar, the token env from the monitor's
// Secret that the reconciler created, and the monitor's status counts them. With
// the webhook down, new pods are created without the sidecar and the status and
// an Event say so.
#include <gtest/gtest.h>

#include <iostream>

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "operator/controller.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/cached_monitor_lookup.h"
#include "operator/webhook/sidecar_injector.h"
#include "tests/support/control_plane.h"
#include "tests/support/deployments.h"
#include "tests/support/namespaced_operator.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

json ModelDeployment(const std::string& name, int replicas) {
  return testing::Deployment(name, replicas, testing::ModelContainer("fraud-model:v1", 8000));
}

const json* Sidecar(const json& pod) {
  if (!pod["spec"].contains("initContainers")) return nullptr;
  for (const auto& c : pod["spec"]["initContainers"]) {
    if (c["name"] == webhook::kSidecarContainerName) return &c;
  }
  return nullptr;
}

class InjectionE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& cp = ControlPlaneEnvironment::Get();
    InstallModelMonitorCrd(cp);
    admin_ = cp.AdminClient();
    operator_client_ = cp.AdminClient();
    ns_ = CreateNamespace(*admin_, "e2e");

    const op::ControllerOptions o = NamespacedControllerOptions(ns_, "e2e-" + ns_);
    controller_ = std::make_unique<op::Controller>(*operator_client_, o, &metrics_);
    controller_->Start();
    api_lookup_ = std::make_unique<webhook::ApiMonitorLookup>(*operator_client_);
    lookup_ = std::make_unique<webhook::CachedMonitorLookup>(controller_->monitors(), *api_lookup_);
    StartWebhook();
    ASSERT_TRUE(WaitFor([&] { return controller_->Working(); }, 60s));
  }
  void TearDown() override {
    injector_.reset();
    if (controller_) controller_->Stop();
  }

  // What `modelmonitor-operator --webhook-url=https://127.0.0.1:{port}/mutate-v1-pod
  // --webhook-port=0 --webhook-namespace=<ns>` does.
  void StartWebhook() {
    const auto w = LoopbackWebhookOptions(ns_, "mm-e2e-" + ns_);
    auto started = webhook::SidecarInjector::Start(*operator_client_, *lookup_, w);
    ASSERT_TRUE(started.ok()) << started.error().message;
    injector_ = std::move(started).value();
  }

  json Monitor(const std::string& name) {
    return admin_->Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, name}.Url())
        .body;
  }
  json Pods(const std::string& app) {
    auto r = admin_->Get(
        ResourcePath{"v1", "pods", ns_, "", "", {{"labelSelector", "app=" + app}}}.Url());
    return r.ok() ? r.body["items"] : json::array();
  }

  std::unique_ptr<kube::RestKubeClient> admin_, operator_client_;
  op::OperatorMetrics metrics_;
  std::unique_ptr<op::Controller> controller_;
  std::unique_ptr<webhook::ApiMonitorLookup> api_lookup_;
  std::unique_ptr<webhook::CachedMonitorLookup> lookup_;
  std::unique_ptr<webhook::SidecarInjector> injector_;
  std::string ns_;
};

TEST_F(InjectionE2eTest, DeploymentPodsAreInjectedWithTokensAndCountedInStatus) {
  json monitor = ModelMonitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, "fraud");
  monitor["spec"]["serving"] = {{"port", "http"}};
  auto created =
      admin_->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_}.Url(), monitor);
  ASSERT_TRUE(created.ok()) << created.Message();
  const std::string uid = created.body["metadata"]["uid"];

  // The reconciler creates the token Secret, owned by the monitor.
  const std::string secret_path =
      ResourcePath{"v1", "secrets", ns_, api::TokenSecretName("fraud")}.Url();
  json secret;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = admin_->Get(secret_path);
        secret = r.body;
        return r.ok();
      },
      30s));
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], uid);
  for (const char* key : {"label-token", "admin-token"}) {
    EXPECT_EQ(Base64Decode(secret["data"][key].get<std::string>())->size(), 64u) << key;
  }

  // Deployment -> ReplicaSet -> pods, each through the webhook.
  const auto deployed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      admin_->Create(ResourcePath{"apps/v1", "deployments", ns_}.Url(), ModelDeployment("fraud", 2))
          .ok());
  json pods;
  ASSERT_TRUE(WaitFor(
      [&] {
        pods = Pods("fraud");
        return pods.size() == 2;
      },
      60s));
  for (const auto& pod : pods) {
    const json* sidecar = Sidecar(pod);
    ASSERT_NE(sidecar, nullptr) << pod.dump(2);
    std::map<std::string, json> env;
    for (const auto& e : (*sidecar)["env"]) env[e["name"]] = e;
    EXPECT_EQ(env["MM_LABEL_TOKEN"]["valueFrom"]["secretKeyRef"],
              json({{"name", api::TokenSecretName("fraud")}, {"key", "label-token"}}));
    EXPECT_EQ(env["MM_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"],
              json({{"name", api::TokenSecretName("fraud")}, {"key", "admin-token"}}));
    EXPECT_EQ(env["MM_STORE_DIR"]["value"], webhook::kStoreMountPath);
    EXPECT_EQ(pod["metadata"]["annotations"][webhook::kInjectedAnnotation],
              std::string("fraud@") + MM_VERSION);
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        json m = Monitor("fraud");
        return m["status"]["pods"] == json{{"matched", 2}, {"injected", 2}} &&
               ConditionOf(m, "Injected")["status"] == "True" &&
               ConditionOf(m, "Ready")["status"] == "True";
      },
      30s))
      << Monitor("fraud").dump(2);
  std::cout << "Deployment created -> 2 injected pods counted in status: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - deployed_at)
                   .count()
            << " ms\n";

  // The webhook goes down: a new pod is created without the sidecar
  // (failurePolicy: Ignore), and the monitor says so.
  injector_->Stop();
  const auto outage_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(admin_
                  ->Patch(ResourcePath{"apps/v1", "deployments", ns_, "fraud"}.Url(),
                          {{"spec", {{"replicas", 3}}}}, kube::PatchType::kMerge)
                  .ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        json m = Monitor("fraud");
        return m["status"]["pods"] == json{{"matched", 3}, {"injected", 2}} &&
               ConditionOf(m, "Injected")["reason"] == "PodsNotInjected";
      },
      60s))
      << Monitor("fraud").dump(2);
  std::cout << "uninjected pod created -> PodsNotInjected in status: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - outage_at)
                   .count()
            << " ms\n";
  const std::string message = ConditionOf(Monitor("fraud"), "Injected")["message"];
  EXPECT_NE(message.find("1 missed by the webhook"), std::string::npos) << message;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto events = admin_->Get(ResourcePath{"events.k8s.io/v1", "events", ns_}.Url());
        for (const auto& e : events.body.value("items", json::array())) {
          if (e["regarding"].value("name", "") == "fraud" &&
              e.value("reason", "") == "PodsNotInjected" && e.value("type", "") == "Warning") {
            return true;
          }
        }
        return false;
      },
      30s));
}

}  // namespace
}  // namespace mm::testing
