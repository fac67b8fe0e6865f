// The sidecar injection webhook against a real kube-apiserver and
// kube-controller-manager: the API server calls our HTTPS server on 127.0.0.1
// for every pod the ReplicaSet controller creates, and the pods read back from
// the API show what the webhook did.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "common/base64.h"
#include "common/http/server.h"
#include "common/kube/json_patch.h"
#include "common/kube/resource_path.h"
#include "common/tls/pem.h"
#include "common/tls/server_context.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/certificate_secret.h"
#include "operator/webhook/injection_report.h"
#include "operator/webhook/sidecar_injector.h"
#include "tests/support/control_plane.h"
#include "tests/support/deployments.h"
#include "tests/support/https_client.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace mm::webhook;

constexpr char kOperatorNamespace[] = "modelmonitor";

// Counts the webhook's lookups per namespace: one per admission of a pod CREATE.
class CountingLookup final : public MonitorLookup {
 public:
  explicit CountingLookup(kube::KubeClient& client) : api_(client) {}
  Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string& ns) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_[ns];
    }
    return api_.MonitorsIn(ns);
  }
  int Calls(const std::string& ns) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[ns];
  }

 private:
  ApiMonitorLookup api_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
};

json Namespace(const std::string& name, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", labels}}}};
}

json PodTemplate(const json& labels, const json& annotations) {
  json container = testing::ModelContainer("fraud-model:v1", 8000);
  container["readinessProbe"] = {{"httpGet", {{"path", "/ready"}, {"port", "http"}}}};
  return testing::PodTemplate(labels, container, annotations);
}

json Deployment(const std::string& name, int replicas, json pod_labels,
                json pod_annotations = json::object()) {
  pod_labels["deployment"] = name;
  return testing::Deployment(name, replicas, PodTemplate(pod_labels, pod_annotations),
                             {{"deployment", name}});
}

json Monitor(const std::string& name, const json& match_labels) {
  return {{"apiVersion", "modelmonitor.io/v1alpha1"},
          {"kind", "ModelMonitor"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"selector", {{"matchLabels", match_labels}}},
            {"target", {{"kind", "Deployment"}, {"name", name}}},
            {"serving", {{"port", "http"}, {"protocol", "json"}}},
            {"sidecar", {{"image", "registry.local/mm-sidecar:test"}, {"sampleRate", 0.5}}}}}};
}

const json* FindInitContainer(const json& pod, const std::string& name) {
  if (!pod["spec"].contains("initContainers")) return nullptr;
  for (const auto& c : pod["spec"]["initContainers"]) {
    if (c["name"] == name) return &c;
  }
  return nullptr;
}

int SidecarCount(const json& pod) {
  int n = 0;
  if (!pod["spec"].contains("initContainers")) return 0;
  for (const auto& c : pod["spec"]["initContainers"]) n += c["name"] == kSidecarContainerName;
  return n;
}

class WebhookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& cp = ControlPlaneEnvironment::Get();
    client_ = cp.AdminClient().release();
    operator_client_ = cp.OperatorClient().release();
    InstallModelMonitorCrd(cp);
    auto ns = client_->Create("/api/v1/namespaces", Namespace(kOperatorNamespace));
    ASSERT_TRUE(ns.ok() || ns.status == 409) << ns.Message();
    lookup_ = new CountingLookup(*operator_client_);
    StartInjector();
  }
  static void TearDownTestSuite() {
    delete injector_.release();
    delete lookup_;
    delete client_;
    delete operator_client_;
  }

  static SidecarInjectorOptions InjectorOptions() {
    SidecarInjectorOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.secret.ns = kOperatorNamespace;
    o.secret.serving.common_name = "modelmonitor-webhook.modelmonitor.svc";
    o.secret.serving.dns_names = {"modelmonitor-webhook.modelmonitor.svc"};
    o.secret.serving.ip_addresses = {"127.0.0.1"};
    o.configuration.url = "https://127.0.0.1:{port}/mutate-v1-pod";
    o.configuration.timeout_seconds = 5;
    return o;
  }

  static void StartInjector() {
    auto injector = SidecarInjector::Start(*operator_client_, *lookup_, InjectorOptions());
    ASSERT_TRUE(injector.ok()) << injector.error().message;
    injector_ = std::move(injector).value();
  }

  void SetUp() override {
    ns_ = UniqueNamespace("wh");
    auto created = client_->Create("/api/v1/namespaces", Namespace(ns_));
    ASSERT_TRUE(created.ok()) << created.Message();
  }

  void CreateIn(const std::string& resource_api, const std::string& resource, const json& obj) {
    auto r = client_->Create(ResourcePath{resource_api, resource, ns_}.Url(), obj);
    ASSERT_TRUE(r.ok()) << r.Message();
  }

  json Pods(const std::string& selector) {
    auto r =
        client_->Get(ResourcePath{"v1", "pods", ns_, "", "", {{"labelSelector", selector}}}.Url());
    return r.ok() ? r.body["items"] : json::array();
  }

  // Waits for `n` pods of a Deployment and returns them as the API stores them.
  json WaitForPods(const std::string& deployment, size_t n) {
    json pods;
    EXPECT_TRUE(WaitFor(
        [&] {
          pods = Pods("deployment=" + deployment);
          return pods.size() == n;
        },
        60s))
        << "pods of " << deployment << ": " << pods.size();
    return pods;
  }

  static inline kube::RestKubeClient* client_ = nullptr;
  static inline kube::RestKubeClient* operator_client_ = nullptr;  // the injector's
  static inline CountingLookup* lookup_ = nullptr;
  static inline std::unique_ptr<SidecarInjector> injector_;
  std::string ns_;
};

TEST_F(WebhookTest, ConfigurationCarriesTheCaBundleOfTheSecret) {
  auto mwc =
      client_->Get(ResourcePath{"admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
                                "", "modelmonitor-sidecar-injector"}
                       .Url());
  ASSERT_TRUE(mwc.ok()) << mwc.Message();
  const json& w = mwc.body["webhooks"][0];
  EXPECT_EQ(w["failurePolicy"], "Ignore");
  EXPECT_EQ(w["clientConfig"]["url"],
            "https://127.0.0.1:" + std::to_string(injector_->port()) + "/mutate-v1-pod");
  EXPECT_EQ(Base64Decode(w["clientConfig"]["caBundle"].get<std::string>()).value(),
            injector_->ca_bundle());
  auto secret = client_->Get(
      ResourcePath{"v1", "secrets", kOperatorNamespace, "modelmonitor-webhook-tls"}.Url());
  ASSERT_TRUE(secret.ok()) << secret.Message();
  EXPECT_EQ(Base64Decode(secret.body["data"]["ca.crt"].get<std::string>()).value(),
            injector_->ca_bundle());
}

TEST_F(WebhookTest, MatchingDeploymentGetsTheSidecar) {
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  CreateIn("apps/v1", "deployments", Deployment("fraud", 2, {{"app", "fraud"}}));
  const json pods = WaitForPods("fraud", 2);
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& pod : pods) {
    const json* sidecar = FindInitContainer(pod, kSidecarContainerName);
    ASSERT_NE(sidecar, nullptr) << pod.dump(2);
    EXPECT_EQ((*sidecar)["restartPolicy"], "Always");
    EXPECT_EQ((*sidecar)["image"], "registry.local/mm-sidecar:test");
    EXPECT_EQ((*sidecar)["ports"][0]["name"], "http");
    EXPECT_EQ((*sidecar)["ports"][0]["containerPort"], 8080);
    EXPECT_EQ((*sidecar)["securityContext"]["readOnlyRootFilesystem"], true);
    const json& model = pod["spec"]["containers"][0];
    EXPECT_EQ(model["ports"][0]["name"], "http-model");
    EXPECT_EQ(model["ports"][0]["containerPort"], 8000);
    EXPECT_EQ(model["readinessProbe"]["httpGet"]["port"], "http-model");
    EXPECT_EQ(pod["metadata"]["annotations"][kInjectedAnnotation],
              std::string("fraud@") + MM_VERSION);
    EXPECT_EQ(pod["spec"]["shareProcessNamespace"], true);
    EXPECT_EQ(SidecarCount(pod), 1);
  }
}

TEST_F(WebhookTest, NonMatchingDeploymentIsLeftAlone) {
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  CreateIn("apps/v1", "deployments", Deployment("web", 1, {{"app", "web"}}));
  const json pods = WaitForPods("web", 1);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_FALSE(pods[0]["spec"].contains("initContainers")) << pods[0].dump(2);
  EXPECT_EQ(pods[0]["spec"]["containers"][0]["ports"][0]["name"], "http");
  EXPECT_GE(lookup_->Calls(ns_), 1);  // the webhook was asked, and said no
}

TEST_F(WebhookTest, OptedOutPodsAreLeftAlone) {
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  CreateIn("apps/v1", "deployments",
           Deployment("by-annotation", 1, {{"app", "fraud"}}, {{kInjectAnnotation, "false"}}));
  CreateIn("apps/v1", "deployments",
           Deployment("by-label", 1, {{"app", "fraud"}, {kInjectLabel, "false"}}));
  for (const char* d : {"by-annotation", "by-label"}) {
    const json pods = WaitForPods(d, 1);
    ASSERT_EQ(pods.size(), 1u);
    EXPECT_EQ(SidecarCount(pods[0]), 0) << d;
    EXPECT_FALSE(pods[0]["metadata"]["annotations"].contains(kInjectedAnnotation)) << d;
  }
}

TEST_F(WebhookTest, DisabledNamespaceIsNotEvenAsked) {
  auto labelled =
      client_->Patch(ResourcePath{"v1", "namespaces", "", ns_}.Url(),
                     {{"metadata", {{"labels", {{kInjectionNamespaceLabel, "disabled"}}}}}},
                     kube::PatchType::kMerge);
  ASSERT_TRUE(labelled.ok()) << labelled.Message();
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  CreateIn("apps/v1", "deployments", Deployment("fraud", 1, {{"app", "fraud"}}));
  const json pods = WaitForPods("fraud", 1);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(SidecarCount(pods[0]), 0);
  EXPECT_EQ(lookup_->Calls(ns_), 0);
}

// A second webhook, called after ours, changes the pod: the API server calls
// ours again (reinvocationPolicy: IfNeeded), and it must not inject twice.
TEST_F(WebhookTest, ReinvocationDoesNotInjectTwice) {
  auto certs =
      EnsureWebhookCertificates(*operator_client_, InjectorOptions().secret, tls::Clock::now());
  ASSERT_TRUE(certs.ok()) << certs.error().message;
  auto tls_ctx = tls::MakeServerContext(certs->cert_pem, certs->key_pem);
  ASSERT_TRUE(tls_ctx.ok());
  http::ServerOptions so;
  so.tls = tls_ctx.value();
  http::Server labeler(so);
  std::atomic<int> labeler_calls{0};
  labeler.Handle("POST", "/label", [&](const http::Request& req) {
    ++labeler_calls;
    const json review = json::parse(req.body);
    const json& pod = review["request"]["object"];
    const std::string key = "mm-test/labeled";
    json patch = pod["metadata"].contains("annotations")
                     ? json::array({kube::AddOp(
                           "/metadata/annotations/" + kube::EscapeJsonPointerToken(key), "yes")})
                     : json::array({kube::AddOp("/metadata/annotations", {{key, "yes"}})});
    return http::Response::Json(200, {{"apiVersion", "admission.k8s.io/v1"},
                                      {"kind", "AdmissionReview"},
                                      {"response",
                                       {{"uid", review["request"]["uid"]},
                                        {"allowed", true},
                                        {"patchType", "JSONPatch"},
                                        {"patch", Base64Encode(patch.dump())}}}});
  });
  ASSERT_TRUE(labeler.Start().ok());
  // Sorted after "modelmonitor-sidecar-injector", so the API server calls it second.
  const std::string name = "zz-mm-test-labeler-" + ns_;
  json config = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "MutatingWebhookConfiguration"},
      {"metadata", {{"name", name}}},
      {"webhooks",
       json::array(
           {{{"name", "labeler.mm-test.io"},
             {"admissionReviewVersions", json::array({"v1"})},
             {"clientConfig",
              {{"url", "https://127.0.0.1:" + std::to_string(labeler.port()) + "/label"},
               {"caBundle", Base64Encode(certs->ca_pem)}}},
             {"rules", json::array({{{"apiGroups", json::array({""})},
                                     {"apiVersions", json::array({"v1"})},
                                     {"operations", json::array({"CREATE"})},
                                     {"resources", json::array({"pods"})}}})},
             {"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns_}}}}},
             {"failurePolicy", "Fail"},
             {"sideEffects", "None"},
             {"reinvocationPolicy", "Never"}}})}};
  const std::string configs =
      ResourcePath{"admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations"}.Url();
  ASSERT_TRUE(ApplyWebhookConfiguration(*client_, config).ok());

  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod.update(PodTemplate({{"app", "fraud"}}, json::object()));
  pod["metadata"]["name"] = "reinvoked";
  // Webhook configurations reach the API server's cache asynchronously: retry
  // with fresh pods until the labeler has seen one.
  json created;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = client_->Create(ResourcePath{"v1", "pods", ns_}.Url(), pod);
        if (!r.ok()) return false;
        created = r.body;
        if (created["metadata"]["annotations"].contains("mm-test/labeled")) return true;
        client_->Delete(ResourcePath{"v1", "pods", ns_, "reinvoked"}.Url());
        WaitFor(
            [&] {
              return client_->Get(ResourcePath{"v1", "pods", ns_, "reinvoked"}.Url()).status == 404;
            },
            30s);
        return false;
      },
      60s, 500ms));
  client_->Delete(configs + "/" + name);
  EXPECT_EQ(SidecarCount(created), 1) << created.dump(2);
  EXPECT_EQ(created["metadata"]["annotations"][kInjectedAnnotation],
            std::string("fraud@") + MM_VERSION);
  // Our webhook ran once, the labeler changed the pod, ours ran again (and did nothing).
  EXPECT_GE(lookup_->Calls(ns_), 2);
  EXPECT_GE(labeler_calls.load(), 1);
}

TEST_F(WebhookTest, BadAdmissionReviewsGetCleanErrors) {
  const uint16_t port = injector_->port();
  const std::string ca = injector_->ca_bundle();
  auto post = [&](const std::string& body, const std::string& type = "application/json") {
    auto r = HttpsPost("127.0.0.1", port, "/mutate-v1-pod", body, ca, type);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : HttpsResponse{};
  };
  const json good = {{"apiVersion", "admission.k8s.io/v1"},
                     {"kind", "AdmissionReview"},
                     {"request",
                      {{"uid", "u-1"},
                       {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                       {"operation", "CREATE"},
                       {"namespace", ns_},
                       {"object", {{"metadata", {{"name", "p"}}}, {"spec", json::object()}}}}}};
  const std::string body = good.dump();

  auto truncated = post(body.substr(0, body.size() / 2));
  EXPECT_EQ(truncated.status, 400);
  EXPECT_NE(json::parse(truncated.body)["error"].get<std::string>().find("truncated"),
            std::string::npos);
  json v1beta1 = good;
  v1beta1["apiVersion"] = "admission.k8s.io/v1beta1";
  auto version = post(v1beta1.dump());
  EXPECT_EQ(version.status, 400);
  EXPECT_NE(version.body.find("admissionReviewVersions"), std::string::npos) << version.body;
  json wrong_kind = good;
  wrong_kind["kind"] = "ConversionReview";
  auto kind = post(wrong_kind.dump());
  EXPECT_EQ(kind.status, 400);
  EXPECT_NE(kind.body.find("send kind: AdmissionReview"), std::string::npos) << kind.body;
  auto huge = HttpsPostHeadersOnly("127.0.0.1", port, "/mutate-v1-pod", 4 << 20, ca);
  ASSERT_TRUE(huge.ok()) << huge.error().message;
  EXPECT_EQ(huge->status, 413);
  auto deep = post(std::string(10000, '['));
  EXPECT_EQ(deep.status, 400);
  auto text = post("hello", "text/plain");
  EXPECT_EQ(text.status, 415);

  // Still serving, and a good review gets its uid back.
  auto ok = post(body);
  ASSERT_EQ(ok.status, 200) << ok.body;
  const json answer = json::parse(ok.body);
  EXPECT_EQ(answer["response"]["uid"], "u-1");
  EXPECT_EQ(answer["response"]["allowed"], true);
}

TEST_F(WebhookTest, ReplicasShareOneCaThroughTheSecret) {
  CertificateSecretOptions o = InjectorOptions().secret;
  o.ns = ns_;
  o.name = "race";
  std::vector<Result<tls::ServingCertificates>> results(4, Error{"not run"});
  std::vector<std::thread> replicas;
  for (size_t i = 0; i < results.size(); ++i) {
    replicas.emplace_back([&, i] {
      results[i] = EnsureWebhookCertificates(*operator_client_, o, tls::Clock::now());
    });
  }
  for (auto& t : replicas) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->ca_pem, results[0]->ca_pem);
    EXPECT_EQ(r->cert_pem, results[0]->cert_pem);
  }
}

// A serving certificate near its end is renewed from the same CA; a CA that can
// no longer sign (here: its key in the Secret replaced) is replaced by a new CA,
// the old one kept in the caBundle. Either way the running server swaps its TLS
// context, the API server trusts it, and pods are still injected.
TEST_F(WebhookTest, CertificatesAreRenewedWhileServing) {
  const std::string secret_path =
      ResourcePath{"v1", "secrets", kOperatorNamespace, "modelmonitor-webhook-tls"}.Url();
  auto read_secret = [&] {
    auto r = client_->Get(secret_path);
    EXPECT_TRUE(r.ok()) << r.Message();
    return r.body;
  };
  auto decode = [](const json& secret, const char* key) {
    return Base64Decode(secret["data"][key].get<std::string>()).value();
  };
  auto injected_pod = [&](const std::string& name) {
    json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
    pod.update(PodTemplate({{"app", "fraud"}}, json::object()));
    pod["metadata"]["name"] = name;
    auto r = client_->Create(ResourcePath{"v1", "pods", ns_}.Url(), pod);
    EXPECT_TRUE(r.ok()) << r.Message();
    return r.ok() && SidecarCount(r.body) == 1;
  };
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  ASSERT_TRUE(injected_pod("before"));

  // 1. A serving certificate with less than a third of its life left.
  json secret = read_secret();
  const std::string ca_bundle = decode(secret, "ca.crt");
  tls::ServingCertificateRequest req = InjectorOptions().secret.serving;
  req.lifetime = 30min;
  auto old = tls::CreateServingCertificate({ca_bundle, decode(secret, "ca.key")}, req,
                                           tls::Clock::now() - 1h);
  ASSERT_TRUE(old.ok()) << old.error().message;
  secret["data"]["tls.crt"] = Base64Encode(old->cert_pem);
  secret["data"]["tls.key"] = Base64Encode(old->key_pem);
  ASSERT_TRUE(client_->Replace(secret_path, secret).ok());
  ASSERT_TRUE(injector_->RefreshCertificates().ok());
  secret = read_secret();
  EXPECT_NE(decode(secret, "tls.crt"), old->cert_pem);
  EXPECT_EQ(decode(secret, "ca.crt"), ca_bundle);
  EXPECT_TRUE(injected_pod("after-serving-renewal"));

  // 2. A CA that cannot sign any more.
  auto stranger = tls::CreateCertificateAuthority("stranger", 24h, tls::Clock::now());
  ASSERT_TRUE(stranger.ok());
  secret["data"]["ca.key"] = Base64Encode(stranger->key_pem);
  ASSERT_TRUE(client_->Replace(secret_path, secret).ok());
  ASSERT_TRUE(injector_->RefreshCertificates().ok());
  secret = read_secret();
  const std::string new_bundle = decode(secret, "ca.crt");
  EXPECT_NE(new_bundle, ca_bundle);
  EXPECT_NE(new_bundle.find(ca_bundle), std::string::npos);  // the old CA is still trusted
  EXPECT_EQ(injector_->ca_bundle(), new_bundle);
  auto mwc =
      client_->Get(ResourcePath{"admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations",
                                "", "modelmonitor-sidecar-injector"}
                       .Url());
  ASSERT_TRUE(mwc.ok());
  EXPECT_EQ(
      Base64Decode(mwc.body["webhooks"][0]["clientConfig"]["caBundle"].get<std::string>()).value(),
      new_bundle);
  // A client that trusts only the new CA reaches the server: it serves the new certificate.
  auto new_ca_only = tls::DecodeCertificateBundlePem(new_bundle);
  ASSERT_TRUE(new_ca_only.ok());
  auto health = HttpsPost("127.0.0.1", injector_->port(), "/mutate-v1-pod", "{}",
                          tls::EncodeCertificatePem(new_ca_only->front().get()).value());
  ASSERT_TRUE(health.ok()) << health.error().message;
  EXPECT_EQ(health->status, 400);
  // The API server picks up the new caBundle asynchronously (until then pods pass
  // uninjected under failurePolicy: Ignore).
  int attempt = 0;
  EXPECT_TRUE(WaitFor(
      [&] { return injected_pod("after-ca-rotation-" + std::to_string(attempt++)); }, 30s, 500ms));
}

// Runs last: it stops the webhook. Pods are still created (failurePolicy:
// Ignore), just without the sidecar; a restarted webhook (a new port, the same
// CA from the Secret) injects again.
TEST_F(WebhookTest, PodsAreCreatedUninjectedWhileTheWebhookIsDown) {
  const std::string ca_before = injector_->ca_bundle();
  CreateIn("modelmonitor.io/v1alpha1", "modelmonitors", Monitor("fraud", {{"app", "fraud"}}));
  injector_->Stop();
  CreateIn("apps/v1", "deployments", Deployment("during-outage", 2, {{"app", "fraud"}}));
  const json pods = WaitForPods("during-outage", 2);
  ASSERT_EQ(pods.size(), 2u);
  for (const auto& pod : pods) EXPECT_EQ(SidecarCount(pod), 0);

  injector_.reset();
  StartInjector();
  ASSERT_TRUE(injector_);
  EXPECT_EQ(injector_->ca_bundle(), ca_before);
  // The configuration now points at the new port; pods created from now on are injected.
  CreateIn("apps/v1", "deployments", Deployment("after-outage", 1, {{"app", "fraud"}}));
  json after;
  ASSERT_TRUE(WaitFor(
      [&] {
        after = Pods("deployment=after-outage");
        return after.size() == 1;
      },
      60s));
  EXPECT_EQ(SidecarCount(after[0]), 1) << after[0].dump(2);

  // What the reconciler reports for the monitor: the pods created during the outage.
  auto monitors = ApiMonitorLookup(*operator_client_).MonitorsIn(ns_);
  ASSERT_TRUE(monitors.ok() && monitors->size() == 1);
  const auto report = ReportInjection(monitors->front(), Pods("app=fraud"));
  EXPECT_EQ(report.matched, 3);
  EXPECT_EQ(report.injected, 1);
  EXPECT_EQ(report.missed.size(), 2u);
}

}  // namespace
}  // namespace mm::testing
