// The modelmonitor-operator binary run the way the demo runs it: a local
// process against the control plane, the webhook registered by URL on
// 127.0.0.1 (--webhook-url with {port}), the operator API on 127.0.0.1. A
// Deployment selected by a monitor gets injected pods; the API answers over
// TLS with the CA from the webhook's Secret; SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "operator/webhook/annotations.h"
#include "tests/support/control_plane.h"
#include "tests/support/https_client.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/operator_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

TEST(OperatorBinaryTest, RunsOutsideTheClusterWithWebhookAndApi) {
  ControlPlane& cp = ControlPlaneEnvironment::Get();
  InstallModelMonitorCrd(cp);
  auto admin = cp.AdminClient();
  const std::string ns = CreateNamespace(*admin, "bin");
  OperatorProcess op(
      "bin-" + ns, {"--kubeconfig=" + cp.kubeconfig(), "--namespace=" + ns, "--leader-elect=false",
                    "--health-address=127.0.0.1", "--health-port=0", "--webhook-address=127.0.0.1",
                    "--webhook-port=0", "--webhook-url=https://127.0.0.1:{port}/mutate-v1-pod",
                    "--webhook-namespace=" + ns, "--api-address=127.0.0.1", "--api-port=0"});
  json api_line;
  ASSERT_TRUE(WaitFor(
      [&] {
        api_line = op.LogLine("operator API serving");
        return api_line.is_object();
      },
      60s))
      << op.Log();
  ASSERT_TRUE(op.Logged("sidecar injection webhook serving"));

  json monitor = ModelMonitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, "fraud");
  ASSERT_TRUE(
      admin->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns}.Url(), monitor)
          .ok());
  json deployment = TargetDeployment("fraud");
  deployment["spec"]["replicas"] = 1;
  deployment["spec"]["template"]["metadata"]["labels"]["app"] = "fraud";
  deployment["spec"]["template"]["spec"]["containers"][0]["ports"] =
      json::array({{{"name", "http"}, {"containerPort", 8000}}});
  ASSERT_TRUE(admin->Create(ResourcePath{"apps/v1", "deployments", ns}.Url(), deployment).ok());
  json pods;
  ASSERT_TRUE(WaitFor(
      [&] {
        pods =
            admin
                ->Get(
                    ResourcePath{"v1", "pods", ns, "", "", {{"labelSelector", "app=fraud"}}}.Url())
                .body.value("items", json::array());
        return pods.size() == 1;
      },
      60s));
  EXPECT_EQ(pods[0]["metadata"]["annotations"][webhook::kInjectedAnnotation],
            std::string("fraud@") + MM_VERSION)
      << pods[0].dump(2) << op.Log();
  ASSERT_TRUE(WaitFor(
      [&] {
        json m =
            admin->Get(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns, "fraud"}.Url())
                .body;
        return m["status"]["pods"] == json{{"matched", 1}, {"injected", 1}};
      },
      30s));

  // The API shares the webhook's CA (Secret <webhook-namespace>/modelmonitor-webhook-tls).
  auto secret = admin->Get(ResourcePath{"v1", "secrets", ns, "modelmonitor-webhook-tls"}.Url());
  ASSERT_TRUE(secret.ok()) << secret.Message();
  const std::string ca = Base64Decode(secret.body["data"]["ca.crt"].get<std::string>()).value();
  const std::string labels =
      "/apis/modelmonitor.io/v1alpha1/namespaces/" + ns + "/modelmonitors/fraud/labels";
  auto unauthenticated = HttpsPost("127.0.0.1", api_line["port"].get<uint16_t>(), labels,
                                   R"({"labels":[{"id":"a","label":1}]})", ca);
  ASSERT_TRUE(unauthenticated.ok()) << unauthenticated.error().message;
  EXPECT_EQ(unauthenticated->status, 401) << unauthenticated->body;

  op.Signal(SIGTERM);
  EXPECT_EQ(op.Wait(25s), 0) << op.Log();
}

}  // namespace
}  // namespace mm::testing
