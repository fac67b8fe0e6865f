// The Alertmanager receiver on a real HTTPS ApiServer, with a scripted
// Kubernetes API: what it records in status.externalAlerts, what it ignores and
// why, and who may post (a Kubernetes caller allowed to create
// modelmonitors/alerts, or the shared secret).
#include "operator/endpoints/alert_receiver.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/tls/server_context.h"
#include "operator/endpoints/shared_secret_authenticator.h"
#include "tests/support/fake_kube_client.h"
#include "tests/support/https_client.h"
#include "tests/support/self_signed_cert.h"

namespace mm::op {
namespace {

using nlohmann::json;

constexpr char kSecret[] = "0123456789abcdef-shared";
const std::string kMonitor = "/apis/modelmonitor.io/v1alpha1/namespaces/prod/modelmonitors/fraud";

// Token "ops" may create modelmonitors/alerts; "viewer" may not; the API knows no other.
class ScriptedAuthenticator final : public Authenticator {
 public:
  Result<std::optional<Caller>> Authenticate(const std::string& token) override {
    if (token != "ops" && token != "viewer" && token != "impostor") return std::optional<Caller>();
    Caller c;
    c.username = token == "impostor" ? SharedSecretAuthenticator::kUsername : token;
    return std::optional<Caller>(c);
  }
  Result<Decision> Authorize(const Caller& caller, const ResourceAttributes&) override {
    return Decision{caller.username == "ops", "RBAC: not bound"};
  }
};

json MonitorObject(json status = json::object()) {
  return {{"apiVersion", "modelmonitor.io/v1alpha1"},
          {"kind", "ModelMonitor"},
          {"metadata", {{"name", "fraud"}, {"namespace", "prod"}, {"resourceVersion", "7"}}},
          {"spec", {{"alerts", {{{"name", "slow"}}, {{"name", "errors"}}}}}},
          {"status", status}};
}

json Alert(const std::string& status, json labels, const std::string& starts,
           json annotations = json::object()) {
  return {{"status", status},
          {"labels", labels},
          {"annotations", annotations},
          {"startsAt", starts},
          {"endsAt", "0001-01-01T00:00:00Z"},
          {"fingerprint", "f00"}};
}

json Notification(json alerts) {
  return {{"version", "4"}, {"receiver", "modelmonitor"}, {"status", "firing"}, {"alerts", alerts}};
}

json Labels(const std::string& alert, const std::string& monitor = "fraud") {
  return {{"alertname", alert}, {"namespace", "prod"}, {"modelmonitor", monitor}};
}

class AlertReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto cert = testing::MakeSelfSignedCert("127.0.0.1");
    ca_ = cert.cert_pem;
    ApiServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.tls = tls::MakeServerContext(cert.cert_pem, cert.key_pem).value();
    server_ = std::make_unique<ApiServer>(o, secret_auth_);
    AlertReceiverOptions ro;
    ro.now = [] { return SystemTime(std::chrono::seconds(1'800'000'000)); };
    RegisterAlertReceiver(*server_, kube_, ro);
    server_->Handle("POST", "/apis/x/namespaces/{ns}/things/{name}/labels",
                    AuthPolicy::Allowed("create", "x", "things", "labels"),
                    [](const ApiRequest&) { return http::Response::Text(200, "ok"); });
    ASSERT_TRUE(server_->Start().ok());
  }
  testing::HttpsResponse Post(const std::string& body, const std::string& token = kSecret,
                              const std::string& path = kAlertsPath) {
    auto r = testing::HttpsRequest("POST", "127.0.0.1", server_->port(), path, body, ca_,
                                   "application/json", token.empty() ? "" : "Bearer " + token);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : testing::HttpsResponse{};
  }
  // The status the receiver wrote (the last PUT .../status).
  json Written() {
    for (const auto& c : kube_.calls()) {
      if (c.method == "PUT") last_put_ = c.body;
    }
    return last_put_.value("status", json::object());
  }

  ScriptedAuthenticator kube_auth_;
  SharedSecretAuthenticator secret_auth_{kSecret, kube_auth_};
  testing::FakeKubeClient kube_;
  std::string ca_;
  std::unique_ptr<ApiServer> server_;
  json last_put_;
};

TEST_F(AlertReceiverTest, RecordsFiringAlertsInStatusAndSaysWhatItIgnored) {
  kube_.Queue("GET", kMonitor, 200, MonitorObject({{"firingAlerts", 0}}));
  kube_.Queue("PUT", kMonitor + "/status", 200, MonitorObject());
  const json body =
      Notification({Alert("firing", Labels("slow"), "2026-11-30T02:00:03.5Z",
                          {{"value", "0.31"}, {"summary", "p99 above 250ms"}}),
                    Alert("firing", Labels("nope"), "2026-11-30T02:00:00Z"),
                    Alert("firing", {{"alertname", "NodeDown"}}, "2026-11-30T02:00:00Z")});
  auto r = Post(body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["accepted"], 1);
  ASSERT_EQ(answer["ignored"].size(), 2u) << answer.dump();
  EXPECT_NE(answer.dump().find("no modelmonitor label"), std::string::npos) << answer.dump();
  EXPECT_NE(answer.dump().find("has no alert named \\\"nope\\\" in spec.alerts"), std::string::npos)
      << answer.dump();

  const json status = Written();
  EXPECT_EQ(status["firingAlerts"], 0) << "the rest of the status is kept";
  ASSERT_EQ(status["externalAlerts"].size(), 1u) << status.dump();
  const json e = status["externalAlerts"][0];
  EXPECT_EQ(e["name"], "slow");
  EXPECT_EQ(e["state"], "Firing");
  EXPECT_EQ(e["since"], "2026-11-30T02:00:03Z");
  EXPECT_EQ(e["received"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(e["value"], 0.31);
  EXPECT_EQ(e["message"], "p99 above 250ms");
  EXPECT_EQ(e["fingerprint"], "f00");
  EXPECT_FALSE(e.contains("ends"));
  EXPECT_EQ(last_put_["metadata"]["resourceVersion"], "7") << "optimistic concurrency";
}

TEST_F(AlertReceiverTest, ResolvedUpdatesTheEntryAndRepeatsWriteNothing) {
  const json firing = {{"name", "slow"},
                       {"state", "Firing"},
                       {"since", "2026-11-30T02:00:03Z"},
                       {"fingerprint", "f00"},
                       {"received", "2026-11-30T02:00:05Z"}};
  kube_.Queue("GET", kMonitor, 200, MonitorObject({{"externalAlerts", {firing}}}));
  kube_.Queue("PUT", kMonitor + "/status", 200, MonitorObject());
  auto r = Post(Notification({Alert("resolved", Labels("slow"), "2026-11-30T02:00:03Z")}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Written()["externalAlerts"][0]["state"], "Resolved");

  // The same resolved notification again (Alertmanager retried): nothing to write.
  json resolved = firing;
  resolved["state"] = "Resolved";
  resolved["received"] = "2027-01-15T08:00:00Z";
  kube_.Queue("GET", kMonitor, 200, MonitorObject({{"externalAlerts", {resolved}}}));
  const size_t puts_before = kube_.calls().size();
  r = Post(Notification({Alert("resolved", Labels("slow"), "2026-11-30T02:00:03Z")}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["accepted"], 1);
  for (size_t i = puts_before; i < kube_.calls().size(); ++i) {
    EXPECT_NE(kube_.calls()[i].method, "PUT") << "unchanged status is not written";
  }
}

TEST_F(AlertReceiverTest, UnknownMonitorIsIgnoredAndApiFailureAsksForARetry) {
  // No answer scripted for the GET: 404, the monitor does not exist.
  auto r =
      Post(Notification({Alert("firing", Labels("slow", "ghost"), "2026-11-30T02:00:00Z")}).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("no ModelMonitor prod/ghost"), std::string::npos) << r.body;

  kube_.Queue("GET", kMonitor, 500, {{"message", "etcdserver: request timed out"}});
  r = Post(Notification({Alert("firing", Labels("slow"), "2026-11-30T02:00:00Z")}).dump());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("could not record the alerts of prod/fraud"), std::string::npos) << r.body;
}

TEST_F(AlertReceiverTest, MalformedPayloadIs400NamingTheField) {
  auto r = Post(R"({"version":"4","alerts":[{"status":"firing","startsAt":"soon"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("body.alerts[0].startsAt"), std::string::npos) << r.body;
  EXPECT_TRUE(kube_.calls().empty()) << "nothing is read or written for a bad payload";
}

TEST_F(AlertReceiverTest, WhoMayPost) {
  const std::string body = Notification(json::array()).dump();
  EXPECT_EQ(Post(body, "").status, 401);
  EXPECT_EQ(Post(body, "not-the-secret").status, 401);
  EXPECT_EQ(Post(body, "viewer").status, 403);
  EXPECT_EQ(Post(body, "ops").status, 200) << "a Kubernetes caller allowed by RBAC";
  EXPECT_EQ(Post(body, kSecret).status, 200);
  EXPECT_EQ(Post(body, "impostor").status, 401)
      << "a Kubernetes user named like the secret's caller gets nothing";
  // The secret opens the receiver only.
  auto other = Post("{}", kSecret, "/apis/x/namespaces/prod/things/fraud/labels");
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("may only post alerts"), std::string::npos) << other.body;
}

TEST(SharedSecret, ReadFromAFileTrimmedAndLongEnough) {
  const std::string path = ::testing::TempDir() + "/alert-secret";
  std::ofstream(path) << "  " << kSecret << "\n";
  auto s = ReadSharedSecret(path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value(), kSecret);
  std::ofstream(path) << "short\n";
  auto short_secret = ReadSharedSecret(path);
  ASSERT_FALSE(short_secret.ok());
  EXPECT_NE(short_secret.error().message.find("at least 16"), std::string::npos);
  EXPECT_FALSE(ReadSharedSecret(path + ".missing").ok());
}

}  // namespace
}  // namespace mm::op
