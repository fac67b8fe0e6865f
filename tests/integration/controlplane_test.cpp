// Proves the test environment is a real Kubernetes control plane: the
// controller manager turns a Deployment into ReplicaSets and Pods, and the
// project's own C++ client (RestKubeClient) drives it, watches included.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/deployments.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

json Deployment(const std::string& name, const std::string& image, int replicas) {
  return testing::Deployment(name, replicas, testing::ModelContainer(image));
}

class ControlPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = ControlPlaneEnvironment::Get().AdminClient();
    ns_ = UniqueNamespace("cp");
    auto created = client_->Create(
        "/api/v1/namespaces",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.Message();
  }

  json List(const std::string& api_version, const std::string& resource,
            const std::string& selector) {
    auto r = client_->Get(
        ResourcePath{api_version, resource, ns_, "", "", {{"labelSelector", selector}}}.Url());
    EXPECT_TRUE(r.ok()) << r.Message();
    return r.ok() ? r.body["items"] : json::array();
  }

  std::unique_ptr<kube::RestKubeClient> client_;
  std::string ns_;
};

TEST_F(ControlPlaneTest, ServerIsARecentKubernetes) {
  auto version = client_->Get("/version");
  ASSERT_TRUE(version.ok()) << version.Message();
  EXPECT_EQ(version.body["major"], "1");
  EXPECT_GE(std::stoi(version.body["minor"].get<std::string>()), 33);
}

TEST_F(ControlPlaneTest, DeploymentGetsReplicaSetAndPodsAndRevisions) {
  const std::string deployments = ResourcePath{"apps/v1", "deployments", ns_}.Url();
  auto created = client_->Create(deployments, Deployment("fraud-model", "model:v1", 2));
  ASSERT_TRUE(created.ok()) << created.Message();

  // kube-controller-manager creates the ReplicaSet and its 2 Pods (Pending: no kubelet).
  ASSERT_TRUE(
      WaitFor([&] { return List("apps/v1", "replicasets", "app=fraud-model").size() == 1; }, 60s));
  ASSERT_TRUE(WaitFor([&] { return List("v1", "pods", "app=fraud-model").size() == 2; }, 60s));
  const json rs1 = List("apps/v1", "replicasets", "app=fraud-model")[0];
  EXPECT_EQ(rs1["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(rs1["metadata"]["ownerReferences"][0]["kind"], "Deployment");

  // A new image makes revision 2, as `kubectl set image` would.
  auto patched = client_->Patch(ResourcePath{"apps/v1", "deployments", ns_, "fraud-model"}.Url(),
                                json::array({{{"op", "replace"},
                                              {"path", "/spec/template/spec/containers/0/image"},
                                              {"value", "model:v2"}}}),
                                kube::PatchType::kJson);
  ASSERT_TRUE(patched.ok()) << patched.Message();
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& rs : List("apps/v1", "replicasets", "app=fraud-model")) {
          if (rs["metadata"]["annotations"].value("deployment.kubernetes.io/revision", "") == "2" &&
              rs["spec"]["template"]["spec"]["containers"][0]["image"] == "model:v2") {
            return true;
          }
        }
        return false;
      },
      60s));
}

TEST_F(ControlPlaneTest, WatchStreamsEventsAsTheyHappen) {
  const std::string configmaps = ResourcePath{"v1", "configmaps", ns_}.Url();
  auto list = client_->Get(configmaps);
  ASSERT_TRUE(list.ok()) << list.Message();
  const std::string rv = list.body["metadata"]["resourceVersion"];

  std::atomic<int> added{0};
  std::thread watcher([&] {
    client_->Watch(
        ResourcePath{"v1",
                     "configmaps",
                     ns_,
                     "",
                     "",
                     {{"watch", "true"}, {"resourceVersion", rv}, {"timeoutSeconds", "60"}}}
            .Url(),
        [&](const json& event) {
          if (event["type"] == "ADDED") ++added;
          return added < 3;
        });
  });
  for (int i = 0; i < 3; ++i) {
    auto r = client_->Create(configmaps, {{"apiVersion", "v1"},
                                          {"kind", "ConfigMap"},
                                          {"metadata", {{"name", "cm-" + std::to_string(i)}}},
                                          {"data", {{"i", std::to_string(i)}}}});
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  EXPECT_TRUE(WaitFor([&] { return added == 3; }, 30s));
  watcher.join();
}

TEST_F(ControlPlaneTest, ErrorsCarryTheServersMessage) {
  auto missing = client_->Get(ResourcePath{"apps/v1", "deployments", ns_, "does-not-exist"}.Url());
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.Message().find("not found"), std::string::npos) << missing.Message();
}

TEST_F(ControlPlaneTest, KubectlFromTheSameModuleTalksToIt) {
  auto out = ControlPlaneEnvironment::Get().Kubectl("version -o json");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("\"serverVersion\""), std::string::npos) << out.output;
  auto ns = ControlPlaneEnvironment::Get().Kubectl("get namespace " + ns_ + " -o name");
  EXPECT_EQ(ns.exit_code, 0) << ns.output;
  EXPECT_EQ(ns.output, "namespace/" + ns_ + "\n");
}

}  // namespace
}  // namespace mm::testing
