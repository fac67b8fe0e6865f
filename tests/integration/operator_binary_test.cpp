// The modelmonitor-operator binary run the way the demo runs it: a local
// process against the control plane, the webhook registered by URL on
// 127.0.0.1 (--webhook-url with {port}), the operator API on 127.0.0.1. A
// Deployment selected by a monitor gets injected pods; the API answers over
// TLS with the CA from the webhook's Secret, and its Alertmanager receiver takes
// the shared secret from --alert-receiver-token-file; no token or key reaches the
// log; SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "common/api/monitor_tokens.h"
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
  const std::string alert_secret = "shared-secret-" + ns + "-0123456789";
  const std::string secret_file = ::testing::TempDir() + "/alert-secret-" + ns;
  std::ofstream(secret_file) << alert_secret << "\n";
  OperatorProcess op(
      "bin-" + ns, {"--kubeconfig=" + cp.kubeconfig(), "--namespace=" + ns, "--leader-elect=false",
                    "--health-address=127.0.0.1", "--health-port=0", "--webhook-address=127.0.0.1",
                    "--webhook-port=0", "--webhook-url=https://127.0.0.1:{port}/mutate-v1-pod",
                    "--webhook-namespace=" + ns, "--api-address=127.0.0.1", "--api-port=0",
                    "--alert-receiver-token-file=" + secret_file});
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

  // Alertmanager with the shared secret: the alert names no monitor, so it is
  // accepted and reported as ignored; a wrong secret is 401.
  const uint16_t api_port = api_line["port"].get<uint16_t>();
  const std::string notification =
      R"({"version":"4","alerts":[{"status":"firing","labels":{"alertname":"NodeDown"},)"
      R"("startsAt":"2026-11-30T02:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]})";
  auto alert = HttpsRequest("POST", "127.0.0.1", api_port, "/api/v1/alerts", notification, ca,
                            "application/json", "Bearer " + alert_secret);
  ASSERT_TRUE(alert.ok()) << alert.error().message;
  EXPECT_EQ(alert->status, 200) << alert->body;
  EXPECT_NE(alert->body.find("no modelmonitor label"), std::string::npos) << alert->body;
  auto wrong = HttpsRequest("POST", "127.0.0.1", api_port, "/api/v1/alerts", notification, ca,
                            "application/json", "Bearer " + alert_secret + "x");
  ASSERT_TRUE(wrong.ok()) << wrong.error().message;
  EXPECT_EQ(wrong->status, 401) << wrong->body;

  // No secret the operator handled is in its log: the shared secret, the monitor's
  // tokens, the webhook's private key.
  auto tokens = admin->Get(ResourcePath{"v1", "secrets", ns, api::TokenSecretName("fraud")}.Url());
  ASSERT_TRUE(tokens.ok()) << tokens.Message();
  std::vector<std::string> secrets = {alert_secret};
  for (const auto& [key, value] : tokens.body["data"].items()) {
    secrets.push_back(Base64Decode(value.get<std::string>()).value());
  }
  const std::string key_pem =
      Base64Decode(secret.body["data"]["tls.key"].get<std::string>()).value();
  secrets.push_back(key_pem.substr(key_pem.find('\n') + 1, 40));  // a line of the key itself
  const std::string log = op.Log();
  for (const auto& s : secrets) {
    ASSERT_GE(s.size(), 16u);
    EXPECT_EQ(log.find(s), std::string::npos) << "a secret is in the operator's log";
  }

  op.Signal(SIGTERM);
  EXPECT_EQ(op.Wait(25s), 0) << op.Log();
}

}  // namespace
}  // namespace mm::testing
