// Remediation through Prometheus and Alertmanager (Debian's prometheus 2.42 and
// prometheus-alertmanager 0.25, real processes on loopback) on the real control
// plane: Prometheus scrapes every Ready sidecar's /metrics (file_sd, kept up to
// date from the played kubelet), its rule fires when revision 2 is slow,
// Alertmanager posts the notification over HTTPS with the shared secret to the
// operator API's receiver (POST /api/v1/alerts), and the operator rolls the
// Deployment back to revision 1 — with the same records and safeguards as its own
// alerts. The spec's alert of the same name has a threshold the operator's own
// evaluation never reaches, so only Alertmanager can have fired it.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/tls/server_context.h"
#include "operator/endpoints/alert_receiver.h"
#include "operator/endpoints/api_server.h"
#include "operator/endpoints/kube_authenticator.h"
#include "operator/endpoints/shared_secret_authenticator.h"
#include "tests/support/https_client.h"
#include "tests/support/local_process.h"
#include "tests/support/remediation_fixture.h"
#include "tests/support/self_signed_cert.h"

namespace mm::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kSecret[] = "alertmanager-shared-secret-for-tests";
constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

void Write(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, path);  // file_sd must never read half a file
}

class AlertmanagerTest : public RemediationFixture {
 protected:
  void SetUp() override {
    RemediationFixture::SetUp();
    ASSERT_EQ(access(kPrometheus, X_OK), 0) << kPrometheus << " missing: run scripts/setup";
    ASSERT_EQ(access(kAlertmanager, X_OK), 0) << kAlertmanager << " missing: run scripts/setup";
    dir_ = ::testing::TempDir() + "/mm-alertmanager-" + ns_;
    std::filesystem::create_directories(dir_);

    // The operator API with the receiver, as the operator binary wires it.
    const auto cert = MakeSelfSignedCert("127.0.0.1");
    ca_ = cert.cert_pem;
    Write(dir_ + "/ca.pem", ca_);
    Write(dir_ + "/secret", kSecret);
    kube_auth_ = std::make_unique<op::KubeAuthenticator>(*operator_client_);
    auth_ = std::make_unique<op::SharedSecretAuthenticator>(kSecret, *kube_auth_);
    op::ApiServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.tls = tls::MakeServerContext(cert.cert_pem, cert.key_pem).value();
    api_ = std::make_unique<op::ApiServer>(o, *auth_);
    op::RegisterAlertReceiver(*api_, *operator_client_);
    ASSERT_TRUE(api_->Start().ok());
  }

  void TearDown() override {
    stop_targets_ = true;
    if (targets_.joinable()) targets_.join();
    prometheus_.reset();
    alertmanager_.reset();
    if (api_) api_->Stop();
    RemediationFixture::TearDown();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Starts `binary` listening on 127.0.0.1:port and waits for its /-/ready (both
  // Prometheus and Alertmanager have one); null (and a test failure) if it never is.
  std::unique_ptr<LocalProcess> StartReady(const std::string& binary, uint16_t port,
                                           const std::string& name, std::vector<std::string> args) {
    args.push_back("--web.listen-address=127.0.0.1:" + std::to_string(port));
    auto p = std::make_unique<LocalProcess>(binary, args, dir_ + "/" + name + ".log");
    const bool ready = WaitFor(
        [&] { return HttpCall("127.0.0.1", port, "GET", "/-/ready", "", {}, 1s).status == 200; },
        60s, 100ms);
    EXPECT_TRUE(ready) << name << " never got ready:\n" << p->Log();
    return ready ? std::move(p) : nullptr;
  }

  // Alertmanager: one route to the operator's receiver, grouped per alert, fast timers.
  void StartAlertmanager() {
    am_port_ = FreeLoopbackPort();
    ASSERT_NE(am_port_, 0);
    Write(dir_ + "/alertmanager.yml",
          "route:\n"
          "  receiver: modelmonitor\n"
          "  group_by: [namespace, modelmonitor, alertname]\n"
          "  group_wait: 1s\n"
          "  group_interval: 1s\n"
          "  repeat_interval: 1h\n"
          "receivers:\n"
          "- name: modelmonitor\n"
          "  webhook_configs:\n"
          "  - url: https://127.0.0.1:" +
              std::to_string(api_->port()) + std::string(op::kAlertsPath) +
              "\n"
              "    send_resolved: true\n"
              "    http_config:\n"
              "      authorization:\n"
              "        credentials_file: " +
              dir_ + "/secret\n" + "      tls_config:\n        ca_file: " + dir_ + "/ca.pem\n");
    alertmanager_ = StartReady(
        kAlertmanager, am_port_, "alertmanager",
        {"--config.file=" + dir_ + "/alertmanager.yml", "--storage.path=" + dir_ + "/am-data",
         "--cluster.listen-address=", "--log.level=debug"});
    ASSERT_TRUE(alertmanager_);
  }

  // Prometheus: scrapes the Ready sidecars, evaluates the rule every second.
  void StartPrometheus(const std::string& rule) {
    prom_port_ = FreeLoopbackPort();
    ASSERT_NE(prom_port_, 0);
    Write(dir_ + "/rules.yml", rule);
    WriteTargets();
    Write(dir_ + "/prometheus.yml",
          "global:\n"
          "  scrape_interval: 1s\n"
          "  evaluation_interval: 1s\n"
          "rule_files: [" +
              dir_ +
              "/rules.yml]\n"
              "alerting:\n"
              "  alertmanagers:\n"
              "  - static_configs:\n"
              "    - targets: ['127.0.0.1:" +
              std::to_string(am_port_) +
              "']\n"
              "scrape_configs:\n"
              "- job_name: sidecars\n"
              "  file_sd_configs:\n"
              "  - files: [" +
              dir_ + "/targets.json]\n" + "    refresh_interval: 1s\n");
    prometheus_ = StartReady(
        kPrometheus, prom_port_, "prometheus",
        {"--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/prom-data",
         "--rules.alert.resend-delay=1s", "--log.level=debug"});
    ASSERT_TRUE(prometheus_);
    targets_ = std::thread([this] {
      while (!stop_targets_) {
        WriteTargets();
        std::this_thread::sleep_for(200ms);
      }
    });
  }

  // file_sd: every Ready pod's sidecar admin port, labelled with its monitor.
  void WriteTargets() {
    json targets = json::array();
    if (kubelet_) {
      for (const auto& pod : kubelet_->Ready()) {
        targets.push_back(pod.ip + ":" + std::to_string(admin_port_));
      }
    }
    const std::string text =
        json::array(
            {{{"targets", targets}, {"labels", {{"namespace", ns_}, {"modelmonitor", "fraud"}}}}})
            .dump();
    if (text != last_targets_) {
      Write(dir_ + "/targets.json", text);
      last_targets_ = text;
    }
  }

  json ExternalAlerts() {
    return Monitor().value("status", json::object()).value("externalAlerts", json::array());
  }

  std::string dir_, ca_, last_targets_;
  uint16_t am_port_ = 0, prom_port_ = 0;
  std::unique_ptr<op::KubeAuthenticator> kube_auth_;
  std::unique_ptr<op::SharedSecretAuthenticator> auth_;
  std::unique_ptr<op::ApiServer> api_;
  std::unique_ptr<LocalProcess> alertmanager_, prometheus_;
  std::thread targets_;
  std::atomic<bool> stop_targets_{false};
};

TEST_F(AlertmanagerTest, PrometheusAlertThroughAlertmanagerRollsBack) {
  Model good, slow;
  slow.delay_ms = 300;
  StartKubelet({{"model:1", &good}, {"model:2", &slow}});
  CreateDeployment("model:1");
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 2; }, 60s)) << "rev 1 never ran";
  // The operator's own evaluation of "slow" never fires (threshold 30 s): the
  // action can only come from Alertmanager.
  CreateMonitor({{"name", "slow"},
                 {"metric", "latency_p99_seconds"},
                 {"op", ">"},
                 {"threshold", 30},
                 {"window", "10s"},
                 {"minSamples", 1},
                 {"action", "rollback"}},
                {{"cooldown", "1h"}, {"maxActionsPerDay", 3}});
  StartOperator("op-a");
  ASSERT_NO_FATAL_FAILURE(StartAlertmanager());
  ASSERT_NO_FATAL_FAILURE(
      StartPrometheus("groups:\n"
                      "- name: fraud\n"
                      "  rules:\n"
                      "  - alert: FraudModelSlow\n"
                      "    expr: histogram_quantile(0.99, sum by (namespace, modelmonitor, le) "
                      "(rate(modelmonitor_sidecar_request_duration_seconds_bucket[5s]))) > 0.2\n"
                      "    for: 2s\n"
                      "    labels:\n"
                      "      modelmonitor_alert: slow\n"
                      "    annotations:\n"
                      "      value: '{{ $value }}'\n"
                      "      summary: p99 latency of {{ $labels.modelmonitor }} above 200ms\n"));
  StartTraffic();
  // Prometheus sees the good revision first.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r =
            HttpCall("127.0.0.1", prom_port_, "GET",
                     "/api/v1/query?query=sum(modelmonitor_sidecar_requests_total)", "", {}, 2s);
        return r.status == 200 && r.body.find("\"value\"") != std::string::npos;
      },
      60s, 200ms))
      << prometheus_->Log();

  // Revision 2: a slow model.
  DeployImage("model:2");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pods = kubelet_->Ready();
        return !pods.empty() && pods[0].upstream == slow.address() &&
               pods.back().upstream == slow.address();
      },
      60s, 20ms))
      << "revision 2 never ran";
  const auto slow_serving = Clock::now();
  ASSERT_TRUE(WaitFor(
      [&] {
        const json e = ExternalAlerts();
        return !e.empty() && e[0].value("state", "") == "Firing";
      },
      90s, 50ms))
      << Monitor()["status"].dump(2) << "\n--- prometheus\n"
      << prometheus_->Log().substr(0, 4000) << "\n--- alertmanager\n"
      << alertmanager_->Log().substr(0, 4000);
  const auto received = Clock::now();
  ASSERT_TRUE(WaitFor([&] { return DeploymentImage() == "model:1"; }, 30s, 20ms))
      << Monitor()["status"].dump(2);
  const auto patched = Clock::now();

  const json external = ExternalAlerts()[0];
  EXPECT_EQ(external["name"], "slow");
  EXPECT_GT(external.value("value", 0.0), 0.2) << external.dump();
  EXPECT_NE(external.value("message", "").find("above 200ms"), std::string::npos);
  ASSERT_TRUE(WaitFor(
      [&] {
        const json rs = Remediations();
        return !rs.empty() && rs.back().value("result", "") == "Succeeded";
      },
      10s, 20ms))
      << Monitor()["status"].dump(2);
  const json last = Remediations().back();
  EXPECT_EQ(last["action"], "rollback");
  EXPECT_EQ(last["fromRevision"], 2);
  EXPECT_EQ(last["toRevision"], 1);
  EXPECT_EQ(Remediations().size(), 1u);
  ASSERT_TRUE(WaitEvent("RolledBack"));
  EXPECT_NE(Events("RolledBack")[0].value("note", "").find("fired in Alertmanager"),
            std::string::npos)
      << Events("RolledBack")[0].dump();
  ASSERT_TRUE(WaitEvent("AlertFiring"));
  EXPECT_NE(Events("AlertFiring")[0].value("note", "").find("firing in Alertmanager"),
            std::string::npos);

  // Revision 1 serves again; Prometheus resolves, Alertmanager says so, the
  // alert's state follows, and nothing else is done.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json e = ExternalAlerts();
        return !e.empty() && e[0].value("state", "") == "Resolved";
      },
      90s, 100ms))
      << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitAlert("Inactive", 30s)) << Monitor()["status"].dump(2);
  EXPECT_EQ(Remediations().size(), 1u) << Monitor()["status"].dump(2);

  std::cout << "[figures] slow revision serving -> alert received " << Ms(received - slow_serving)
            << " ms -> Deployment patched " << Ms(patched - received) << " ms (total "
            << Ms(patched - slow_serving)
            << " ms; Prometheus scrape/eval 1s, rate[5s], for 2s, Alertmanager group_wait 1s)\n";
}

TEST_F(AlertmanagerTest, UnauthenticatedPostsAreRefused) {
  const std::string body = R"({"version":"4","alerts":[]})";
  auto call = [&](const std::string& auth) {
    auto r = HttpsRequest("POST", "127.0.0.1", api_->port(), op::kAlertsPath, body, ca_,
                          "application/json", auth);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->status : 0;
  };
  EXPECT_EQ(call(""), 401);
  EXPECT_EQ(call("Bearer wrong-secret"), 401) << "TokenReview says the token is not valid";
  EXPECT_EQ(call(std::string("Bearer ") + kSecret), 200);
  // A real ServiceAccount token without RBAC for modelmonitors/alerts: 403.
  const json sa = {
      {"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "alertmanager"}}}};
  ASSERT_TRUE(admin_->Create(ResourcePath{"v1", "serviceaccounts", ns_}.Url(), sa).ok());
  auto token =
      admin_->Create(ResourcePath{"v1", "serviceaccounts", ns_, "alertmanager", "token"}.Url(),
                     {{"apiVersion", "authentication.k8s.io/v1"},
                      {"kind", "TokenRequest"},
                      {"spec", json::object()}});
  ASSERT_TRUE(token.ok()) << token.Message();
  const std::string sa_token = token.body["status"].value("token", "");
  EXPECT_EQ(call("Bearer " + sa_token), 403);
  // Bound to a role that allows it: accepted.
  const json role = {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                     {"kind", "ClusterRole"},
                     {"metadata", {{"name", ns_ + "-alert-sender"}}},
                     {"rules",
                      {{{"apiGroups", {"modelmonitor.io"}},
                        {"resources", {"modelmonitors/alerts"}},
                        {"verbs", {"create"}}}}}};
  ASSERT_TRUE(
      admin_->Create(ResourcePath{"rbac.authorization.k8s.io/v1", "clusterroles"}.Url(), role)
          .ok());
  const json binding = {
      {"apiVersion", "rbac.authorization.k8s.io/v1"},
      {"kind", "ClusterRoleBinding"},
      {"metadata", {{"name", ns_ + "-alert-sender"}}},
      {"roleRef",
       {{"apiGroup", "rbac.authorization.k8s.io"},
        {"kind", "ClusterRole"},
        {"name", ns_ + "-alert-sender"}}},
      {"subjects", {{{"kind", "ServiceAccount"}, {"name", "alertmanager"}, {"namespace", ns_}}}}};
  ASSERT_TRUE(
      admin_
          ->Create(ResourcePath{"rbac.authorization.k8s.io/v1", "clusterrolebindings"}.Url(),
                   binding)
          .ok());
  EXPECT_TRUE(WaitFor([&] { return call("Bearer " + sa_token) == 200; }, 20s, 200ms));
}

}  // namespace
}  // namespace mm::testing
