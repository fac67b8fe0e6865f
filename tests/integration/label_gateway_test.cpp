// The operator's label gateway against the real control plane (TokenReview,
// SubjectAccessReview with RBAC, ServiceAccount tokens from the TokenRequest
// API) and real sidecars (in-process, each on its own 127.0.0.N, with its
// durable store), reached through pods whose status plays the kubelet's part.
#include "operator/endpoints/label_gateway.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "common/api/model_monitor.h"
#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "common/tls/server_context.h"
#include "operator/endpoints/api_server.h"
#include "operator/endpoints/kube_authenticator.h"
#include "operator/reconcile/token_secret.h"
#include "sidecar/sidecar.h"
#include "tests/support/control_plane.h"
#include "tests/support/https_client.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/self_signed_cert.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

// A sidecar as the webhook would run it, with the monitor's label token.
struct LocalSidecar {
  std::string ip;
  std::filesystem::path dir;
  uint16_t admin_port = 0;
  std::unique_ptr<sidecar::Sidecar> process;

  Status Start(const std::string& token) {
    sidecar::SidecarConfig c;
    c.proxy.listen_address = ip;
    c.proxy.port = 0;
    c.admin_address = ip;
    c.admin_port = admin_port;  // 0 the first time; the same port after a restart
    c.protocol = {api::Protocol::kKServeV1, "$"};
    c.ground_truth.emplace();
    c.ground_truth->store_dir = dir.string();
    c.label_token = token;
    auto s = sidecar::Sidecar::Create(c);
    if (!s) return s.error();
    process = std::move(s).value();
    if (auto started = process->Start(); !started) return started;
    admin_port = process->admin_port();
    return OkStatus();
  }
  void Stop() { process.reset(); }
  // Predictions this pod made (class 1, P=0.8), durable once `pending` counts them.
  void Predict(const std::vector<std::string>& ids) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (const auto& id : ids) process->ground_truth()->sink().Offer({id, now, "v1", 1, {0.8}});
    const int64_t want = static_cast<int64_t>(ids.size());
    EXPECT_TRUE(WaitFor([&] { return process->ground_truth()->counters().store.pending >= want; },
                        10s, 10ms));
  }
};

class LabelGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& cp = ControlPlaneEnvironment::Get();
    InstallModelMonitorCrd(cp);
    admin_ = cp.AdminClient();
    operator_client_ = cp.OperatorClient();
    ns_ = CreateNamespace(*admin_, "labels");
    auto monitor =
        admin_->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_}.Url(),
                       ModelMonitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, "fraud"));
    ASSERT_TRUE(monitor.ok()) << monitor.Message();
    // What the reconciler does for every monitor (operator_test / injection_e2e_test).
    ASSERT_TRUE(op::EnsureTokenSecret(*operator_client_, api::MetadataOf(monitor.body)).ok());
    auto secret =
        admin_->Get(ResourcePath{"v1", "secrets", ns_, api::TokenSecretName("fraud")}.Url());
    label_token_ = Base64Decode(secret.body["data"]["label-token"].get<std::string>()).value();

    const auto cert = MakeSelfSignedCert("127.0.0.1");
    ca_ = cert.cert_pem;
    op::ApiServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.tls = tls::MakeServerContext(cert.cert_pem, cert.key_pem).value();
    authenticator_ = std::make_unique<op::KubeAuthenticator>(*operator_client_);
    api_ = std::make_unique<op::ApiServer>(o, *authenticator_);
    op::FanoutOptions fanout;
    fanout.deadline = 3s;
    op::RegisterLabelGateway(*api_, *operator_client_, fanout);
    ASSERT_TRUE(api_->Start().ok());

    // 127.0.0.N per pod, N from the pid so parallel runs elsewhere do not collide.
    const int base = 10 + static_cast<int>(::getpid() % 200);
    for (int i = 0; i < 2; ++i) {
      auto s = std::make_unique<LocalSidecar>();
      s->ip = "127.0.1." + std::to_string(base + i);
      s->dir = std::filesystem::temp_directory_path() /
               ("mm-gateway-" + std::to_string(::getpid()) + "-" + ns_ + "-" + std::to_string(i));
      std::filesystem::remove_all(s->dir);
      ASSERT_TRUE(s->Start(label_token_).ok());
      ASSERT_NO_FATAL_FAILURE(RunPod("fraud-" + std::to_string(i), *s));
      sidecars_.push_back(std::move(s));
    }
  }
  void TearDown() override {
    api_.reset();
    for (auto& s : sidecars_) {
      s->Stop();
      std::filesystem::remove_all(s->dir);
    }
  }

  // Creates the injected pod and plays the kubelet: Running, Ready, podIP.
  void RunPod(const std::string& name, const LocalSidecar& s) {
    json pod = Pod(name, {{"app", "fraud"}}, "fraud");
    pod["spec"]["initContainers"] = {
        {{"name", "modelmonitor-sidecar"},
         {"image", "sidecar"},
         {"restartPolicy", "Always"},
         {"ports", {{{"name", "mm-admin"}, {"containerPort", s.admin_port}}}}}};
    auto created = admin_->Create(ResourcePath{"v1", "pods", ns_}.Url(), pod);
    ASSERT_TRUE(created.ok()) << created.Message();
    auto status = admin_->Patch(ResourcePath{"v1", "pods", ns_, name, "status"}.Url(),
                                {{"status",
                                  {{"phase", "Running"},
                                   {"podIP", s.ip},
                                   {"podIPs", {{{"ip", s.ip}}}},
                                   {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}},
                                kube::PatchType::kMerge);
    ASSERT_TRUE(status.ok()) << status.Message();
  }

  // A ServiceAccount token from the TokenRequest API; with `allowed`, a Role and
  // RoleBinding granting create on modelmonitors/labels.
  std::string Token(const std::string& sa, bool allowed) {
    auto created = admin_->Create(
        ResourcePath{"v1", "serviceaccounts", ns_}.Url(),
        {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", sa}}}});
    EXPECT_TRUE(created.ok()) << created.Message();
    if (allowed) {
      const std::string rbac = "rbac.authorization.k8s.io/v1";
      EXPECT_TRUE(admin_
                      ->Create(ResourcePath{rbac, "roles", ns_}.Url(),
                               {{"apiVersion", rbac},
                                {"kind", "Role"},
                                {"metadata", {{"name", sa}}},
                                {"rules",
                                 {{{"apiGroups", {"modelmonitor.io"}},
                                   {"resources", {"modelmonitors/labels"}},
                                   {"verbs", {"create"}}}}}})
                      .ok());
      EXPECT_TRUE(
          admin_
              ->Create(
                  ResourcePath{rbac, "rolebindings", ns_}.Url(),
                  {{"apiVersion", rbac},
                   {"kind", "RoleBinding"},
                   {"metadata", {{"name", sa}}},
                   {"roleRef",
                    {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", sa}}},
                   {"subjects", {{{"kind", "ServiceAccount"}, {"name", sa}, {"namespace", ns_}}}}})
              .ok());
    }
    auto token = admin_->Create(ResourcePath{"v1", "serviceaccounts", ns_, sa, "token"}.Url(),
                                {{"apiVersion", "authentication.k8s.io/v1"},
                                 {"kind", "TokenRequest"},
                                 {"spec", {{"expirationSeconds", 3600}}}});
    EXPECT_TRUE(token.ok()) << token.Message();
    return token.body["status"].value("token", "");
  }

  HttpsResponse PostLabels(const std::string& body, const std::string& token,
                           const std::string& monitor = "fraud",
                           const std::string& type = "application/json") {
    const std::string path = "/apis/modelmonitor.io/v1alpha1/namespaces/" + ns_ +
                             "/modelmonitors/" + monitor + "/labels";
    auto r = HttpsRequest("POST", "127.0.0.1", api_->port(), path, body, ca_, type,
                          token.empty() ? "" : "Bearer " + token);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : HttpsResponse{};
  }

  // A pipeline allowed to post labels; RBAC grants reach the authorizer's cache quickly,
  // but not instantly: wait until the SubjectAccessReview says yes.
  std::string AllowedToken() {
    const std::string token = Token("pipeline", true);
    EXPECT_TRUE(WaitFor(
        [&] {
          return PostLabels(R"({"labels":[{"id":"warmup","label":1}]})", token).status == 200;
        },
        30s, 200ms));
    return token;
  }

  std::unique_ptr<kube::RestKubeClient> admin_, operator_client_;
  std::string ns_;
  std::string label_token_;
  std::string ca_;
  std::unique_ptr<op::KubeAuthenticator> authenticator_;
  std::unique_ptr<op::ApiServer> api_;
  std::vector<std::unique_ptr<LocalSidecar>> sidecars_;
};

TEST_F(LabelGatewayTest, UnauthenticatedUnauthorisedAndMalformedAreRefused) {
  const std::string batch = R"({"labels":[{"id":"a","label":1}]})";
  auto none = PostLabels(batch, "");
  EXPECT_EQ(none.status, 401) << none.body;
  auto garbage = PostLabels(batch, "not-a-token");
  EXPECT_EQ(garbage.status, 401) << garbage.body;
  auto intruder = PostLabels(batch, Token("intruder", false));
  EXPECT_EQ(intruder.status, 403) << intruder.body;
  EXPECT_NE(intruder.body.find("system:serviceaccount:" + ns_ + ":intruder"), std::string::npos)
      << intruder.body;
  EXPECT_NE(intruder.body.find("modelmonitors/labels"), std::string::npos);

  const std::string token = AllowedToken();
  auto missing = PostLabels(R"({"lables":[]})", token);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("body.labels: missing"), std::string::npos) << missing.body;
  EXPECT_EQ(PostLabels("{\"labels\": [", token).status, 400);
  EXPECT_EQ(PostLabels("id,label", token, "fraud", "text/csv").status, 415);
  // The Role grants every monitor of the namespace; a monitor that does not exist is 404.
  auto unknown_monitor = PostLabels(batch, token, "nope");
  EXPECT_EQ(unknown_monitor.status, 404) << unknown_monitor.body;
}

TEST_F(LabelGatewayTest, LabelsAreFannedOutToEverySidecarAndSummed) {
  sidecars_[0]->Predict({"a1", "a2", "a3"});
  sidecars_[1]->Predict({"b1", "b2"});
  const std::string token = AllowedToken();
  auto r =
      PostLabels(R"({"labels":[{"id":"a1","label":1},{"id":"a2","label":0},{"id":"b1","label":1},)"
                 R"({"id":"zz","label":1},{"id":"b2","label":"x"}]})",
                 token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["received"], 5);
  EXPECT_EQ(answer["joined"], 3);
  EXPECT_EQ(answer["invalid"], 1);
  EXPECT_EQ(answer["unknown"], 1);  // zz: on no pod
  EXPECT_EQ(answer["complete"], true);
  ASSERT_EQ(answer["pods"].size(), 2u);
  int64_t per_pod = 0;
  for (const auto& p : answer["pods"]) per_pod += p["joined"].get<int64_t>();
  EXPECT_EQ(per_pod, 3);

  // The same batch again: idempotent.
  auto again = json::parse(PostLabels(R"({"labels":[{"id":"a1","label":1}]})", token).body);
  EXPECT_EQ(again["joined"], 0);
  EXPECT_EQ(again["duplicate"], 1);
}

TEST_F(LabelGatewayTest, ASidecarRestartingDuringTheFanOutLosesNothing) {
  sidecars_[0]->Predict({"a1"});
  sidecars_[1]->Predict({"b1", "b2"});
  const std::string token = AllowedToken();
  sidecars_[1]->Stop();  // crashed; its predictions are on its volume
  std::thread restart([&] {
    std::this_thread::sleep_for(700ms);
    EXPECT_TRUE(sidecars_[1]->Start(label_token_).ok());
  });
  auto r = PostLabels(
      R"({"labels":[{"id":"a1","label":1},{"id":"b1","label":1},{"id":"b2","label":0}]})", token);
  restart.join();
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["joined"], 3);
  for (const auto& p : answer["pods"]) {
    if (p["ip"] == sidecars_[1]->ip) {
      EXPECT_GT(p["attempts"].get<int>(), 1) << p.dump();
    }
  }
}

TEST_F(LabelGatewayTest, ASidecarThatStaysDownIsReportedAndTheRetryCompletes) {
  sidecars_[0]->Predict({"a1"});
  sidecars_[1]->Predict({"b1"});
  const std::string token = AllowedToken();
  sidecars_[1]->Stop();
  const std::string batch = R"({"labels":[{"id":"a1","label":1},{"id":"b1","label":1}]})";
  auto partial = PostLabels(batch, token);
  ASSERT_EQ(partial.status, 502) << partial.body;
  json answer = json::parse(partial.body);
  EXPECT_EQ(answer["complete"], false);
  EXPECT_EQ(answer["joined"], 1);
  EXPECT_NE(answer["error"].get<std::string>().find("post the same batch again"),
            std::string::npos);

  ASSERT_TRUE(sidecars_[1]->Start(label_token_).ok());
  auto retried = PostLabels(batch, token);
  ASSERT_EQ(retried.status, 200) << retried.body;
  answer = json::parse(retried.body);
  EXPECT_EQ(answer["joined"], 1);     // b1, now
  EXPECT_EQ(answer["duplicate"], 1);  // a1, joined by the first post
}

// A large NDJSON upload through the whole path; prints how long it took.
TEST_F(LabelGatewayTest, ALargeNdjsonUploadIsJoinedWhole) {
  constexpr int kLabels = 20000;
  std::vector<std::string> a, b;
  std::string body;
  for (int i = 0; i < kLabels; ++i) {
    const std::string id = "req-" + std::to_string(i);
    (i % 2 ? b : a).push_back(id);
    body += R"({"id":")" + id + R"(","label":)" + std::to_string(i % 3 ? 1 : 0) + "}\n";
  }
  sidecars_[0]->Predict(a);
  sidecars_[1]->Predict(b);
  const std::string token = AllowedToken();
  const auto start = std::chrono::steady_clock::now();
  auto r = PostLabels(body, token, "fraud", "application/x-ndjson");
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["received"], kLabels);
  EXPECT_EQ(answer["joined"], kLabels);
  EXPECT_EQ(answer["unknown"], 0);
  std::cout << "gateway: " << kLabels << " NDJSON labels (" << body.size()
            << " bytes) to 2 sidecars, all joined, in " << ms << " ms\n";
}

}  // namespace
}  // namespace mm::testing
