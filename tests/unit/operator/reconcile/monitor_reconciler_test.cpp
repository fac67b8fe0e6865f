#include "operator/reconcile/monitor_reconciler.h"

#include <gtest/gtest.h>

#include "common/api/parsed_monitor.h"
#include "common/api/sidecar_monitor_config.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/injection_report.h"
#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kMonitors = "/apis/modelmonitor.io/v1alpha1/namespaces/ns/modelmonitors";
const std::string kStatus = kMonitors + "/m/status";

json Monitor(const json& selector, json status = nullptr) {
  json m = {
      {"apiVersion", api::kApiVersion},
      {"kind", api::kKind},
      {"metadata",
       {{"name", "m"},
        {"namespace", "ns"},
        {"uid", "u1"},
        {"generation", 4},
        {"resourceVersion", "7"}}},
      {"spec", {{"selector", selector}, {"target", {{"kind", "Deployment"}, {"name", "m"}}}}}};
  if (!status.is_null()) m["status"] = status;
  return m;
}

json Pod(const std::string& name, bool injected) {
  json p = {{"metadata",
             {{"name", name},
              {"namespace", "ns"},
              {"resourceVersion", "1"},
              {"labels", {{"app", "fraud"}}}}}};
  if (injected) p["metadata"]["annotations"] = {{webhook::kInjectedAnnotation, "m@0.1.0"}};
  return p;
}

// Caches filled from scripted LISTs; the reconciler then runs against them.
class MonitorReconcilerTest : public ::testing::Test {
 protected:
  void Load(const json& monitor) {
    fake_.Queue("GET", kMonitors + "?limit=500", 200,
                {{"items", json::array({monitor})}, {"metadata", {{"resourceVersion", "9"}}}});
    fake_.Queue(
        "GET", "/api/v1/namespaces/ns/pods?limit=500", 200,
        {{"items", {Pod("a", true), Pod("b", false)}}, {"metadata", {{"resourceVersion", "9"}}}});
    kube::InformerOptions mo;
    mo.collection = {api::kApiVersion, api::kPlural, "ns"};
    monitors_ = std::make_unique<kube::Informer>(fake_, "modelmonitors", mo);
    kube::InformerOptions po;
    po.collection = {"v1", "pods", "ns"};
    pods_ = std::make_unique<kube::Informer>(fake_, "pods", po);
    for (kube::Informer* i : {monitors_.get(), pods_.get()}) {
      i->Start();
      ASSERT_TRUE(i->WaitForSync(5s));
      i->Stop();
    }
    MonitorReconciler::Deps deps{fake_, *monitors_, *pods_, nullptr, nullptr};
    deps.token_secrets = token_secrets_;
    deps.sidecar_config_maps = config_maps_;
    reconciler_ = std::make_unique<MonitorReconciler>(std::move(deps));
  }
  std::vector<testing::FakeKubeClient::Call> Puts() {
    std::vector<testing::FakeKubeClient::Call> out;
    for (const auto& c : fake_.calls()) {
      if (c.method == "PUT") out.push_back(c);
    }
    return out;
  }

  testing::FakeKubeClient fake_;
  bool token_secrets_ = false;  // token_secret_test.cpp covers the Secret's calls
  bool config_maps_ = false;    // sidecar_config_map_test.cpp covers the ConfigMap's calls
  std::unique_ptr<kube::Informer> monitors_, pods_;
  std::unique_ptr<MonitorReconciler> reconciler_;
};

TEST_F(MonitorReconcilerTest, WritesObservedStatus) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone) << r.error;
  auto puts = Puts();
  ASSERT_EQ(puts.size(), 1u);
  const json& status = puts[0].body["status"];
  EXPECT_EQ(status["observedGeneration"], 4);
  EXPECT_EQ(status["pods"], (json{{"matched", 2}, {"injected", 1}}));
  EXPECT_EQ(puts[0].body["metadata"]["resourceVersion"], "7") << "optimistic concurrency";
  EXPECT_EQ(status["conditions"][0]["reason"], "PodsNotInjected");
}

TEST_F(MonitorReconcilerTest, WritesNothingWhenStatusIsCurrent) {
  Observation o;  // what the caches below hold
  o.generation = 4;
  o.ns = "ns";
  o.selector = "app=fraud";
  o.matched = 2;
  o.injected = 1;
  o.not_injected = {"b"};
  const json current = DesiredStatus(nullptr, o, "2026-01-01T00:00:00Z");
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}, current));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone);
  EXPECT_TRUE(Puts().empty());
}

TEST_F(MonitorReconcilerTest, InvalidSpecIsTerminalAndRecorded) {
  Load(Monitor({{"matchExpressions", {{{"key", "app"}, {"operator", "Equals"}}}}}));
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kTerminal);
  EXPECT_NE(r.error.find("matchExpressions[0].operator"), std::string::npos) << r.error;
  auto puts = Puts();
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].body["status"]["conditions"][2]["reason"], "InvalidSpec");
}

TEST_F(MonitorReconcilerTest, ApiFailureIsRetried) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  fake_.Queue("PUT", kStatus, 500, {{"message", "etcdserver: request timed out"}});
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kRetry);
  EXPECT_NE(r.error.find("etcdserver: request timed out"), std::string::npos);
}

TEST_F(MonitorReconcilerTest, ANewerGenerationOnTheServerRequeues) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  json newer = Monitor({{"matchLabels", {{"app", "x"}}}});
  newer["metadata"]["generation"] = 5;
  fake_.Queue("PUT", kStatus, 409, {{"message", "conflict"}});
  fake_.Queue("GET", kMonitors + "/m", 200, newer);
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kRequeueAfter);
  EXPECT_EQ(Puts().size(), 1u) << "no status stamped with generation 5 from a generation-4 view";
}

TEST_F(MonitorReconcilerTest, CreatesTheTokenSecretBeforeTheStatus) {
  token_secrets_ = true;
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  const std::string secrets = "/api/v1/namespaces/ns/secrets";
  fake_.Queue("POST", secrets, 201, json::object());
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone) << r.error;
  const auto calls = fake_.calls();
  size_t create = calls.size(), put = calls.size();
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].method == "POST" && calls[i].path == secrets) create = i;
    if (calls[i].method == "PUT") put = i;
  }
  ASSERT_LT(create, calls.size());
  EXPECT_LT(create, put);
  EXPECT_EQ(calls[create].body["metadata"]["name"], "m-modelmonitor-tokens");
  EXPECT_EQ(calls[create].body["metadata"]["ownerReferences"][0]["uid"], "u1");
}

TEST_F(MonitorReconcilerTest, ATokenSecretFailureIsRetriedAfterTheStatus) {
  token_secrets_ = true;
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  fake_.Queue("POST", "/api/v1/namespaces/ns/secrets", 403, {{"message", "forbidden"}});
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kRetry);
  EXPECT_NE(r.error.find("Secret ns/m-modelmonitor-tokens"), std::string::npos) << r.error;
  EXPECT_EQ(Puts().size(), 1u);
}

// The ConfigMap holds exactly the text the webhook injects as MM_MONITOR_CONFIG.
TEST_F(MonitorReconcilerTest, KeepsTheSidecarConfigMapWithTheWebhooksText) {
  config_maps_ = true;
  json monitor = Monitor({{"matchLabels", {{"app", "fraud"}}}});
  monitor["spec"]["serving"] = {{"requestIdHeader", "x-trace-id"}};
  monitor["spec"]["sidecar"] = {{"sampleRate", 0.25}, {"image", "not-for-the-sidecar"}};
  Load(monitor);
  const std::string config_maps = "/api/v1/namespaces/ns/configmaps";
  fake_.Queue("POST", config_maps, 201, json::object());
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone) << r.error;
  json created;
  for (const auto& c : fake_.calls()) {
    if (c.method == "POST" && c.path == config_maps) created = c.body;
  }
  ASSERT_TRUE(created.is_object());
  EXPECT_EQ(created["metadata"]["name"], "m-modelmonitor-config");
  EXPECT_EQ(created["metadata"]["ownerReferences"][0]["uid"], "u1");
  const std::string text = created["data"]["monitor.json"];
  EXPECT_EQ(text, api::SidecarConfigText(*api::ParsedMonitor::FromJson(monitor).monitor));
  const json config = json::parse(text);
  EXPECT_EQ(config["monitor"]["generation"], 4);
  EXPECT_EQ(config["serving"]["requestIdHeader"], "x-trace-id");
  EXPECT_EQ(config["sidecar"],
            json({{"sampleRate", 0.25}, {"maxBodyBytes", 1 << 20}}));  // defaults written

  // The next reconcile (a pod event): the keeper knows the text is there, no call.
  const size_t calls = fake_.calls().size();
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  reconciler_->Reconcile("ns/m");
  for (size_t i = calls; i < fake_.calls().size(); ++i) {
    EXPECT_EQ(fake_.calls()[i].path.find("configmaps"), std::string::npos)
        << fake_.calls()[i].method << " " << fake_.calls()[i].path;
  }
}

TEST_F(MonitorReconcilerTest, ASidecarConfigMapFailureIsRetriedAfterTheStatus) {
  config_maps_ = true;
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  fake_.Queue("POST", "/api/v1/namespaces/ns/configmaps", 403, {{"message", "forbidden"}});
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kRetry);
  EXPECT_NE(r.error.find("ConfigMap ns/m-modelmonitor-config"), std::string::npos) << r.error;
  EXPECT_EQ(Puts().size(), 1u);
}

TEST_F(MonitorReconcilerTest, OptedOutPodsAreNotMissed) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  json opted = Pod("c", false);
  opted["metadata"]["annotations"] = {{"modelmonitor.io/inject", "false"}};
  api::ParsedMonitor view =
      api::ParsedMonitor::FromJson(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  // The cache holds a (injected) and b (missed); c is classified directly.
  Observation o = reconciler_->Observe(view);
  EXPECT_EQ(o.matched, 2);
  EXPECT_EQ(o.injected, 1);
  EXPECT_EQ(o.not_injected, std::vector<std::string>{"b"});
  EXPECT_EQ(webhook::ClassifyMatchedPod("m", opted), webhook::PodInjection::kOptedOut);
}

TEST_F(MonitorReconcilerTest, DeletedMonitorIsDone) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  auto r = reconciler_->Reconcile("ns/gone");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone);
  EXPECT_TRUE(Puts().empty());
}

}  // namespace
}  // namespace mm::op
