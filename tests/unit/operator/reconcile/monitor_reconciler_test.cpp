#include "operator/reconcile/monitor_reconciler.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kMonitors = "/apis/modelmonitor.io/v1alpha1/namespaces/ns/modelmonitors";
const std::string kStatus = kMonitors + "/m/status";

json Monitor(const json& selector, json status = nullptr) {
  json m = {{"apiVersion", kApiVersion},
            {"kind", kKind},
            {"metadata",
             {{"name", "m"},
              {"namespace", "ns"},
              {"uid", "u1"},
              {"generation", 4},
              {"resourceVersion", "7"}}},
            {"spec", {{"selector", selector}}}};
  if (!status.is_null()) m["status"] = status;
  return m;
}

json Pod(const std::string& name, bool injected) {
  json p = {{"metadata",
             {{"name", name},
              {"namespace", "ns"},
              {"resourceVersion", "1"},
              {"labels", {{"app", "fraud"}}}}}};
  if (injected) p["metadata"]["annotations"] = {{kInjectedAnnotation, "true"}};
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
    InformerOptions mo;
    mo.collection = {kApiVersion, kResource, "ns"};
    monitors_ = std::make_unique<Informer>(fake_, "modelmonitors", mo);
    InformerOptions po;
    po.collection = {"v1", "pods", "ns"};
    pods_ = std::make_unique<Informer>(fake_, "pods", po);
    for (Informer* i : {monitors_.get(), pods_.get()}) {
      i->Start();
      ASSERT_TRUE(i->WaitForSync(5s));
      i->Stop();
    }
    reconciler_ = std::make_unique<MonitorReconciler>(
        MonitorReconciler::Deps{fake_, *monitors_, *pods_, nullptr, nullptr});
  }
  std::vector<testing::FakeKubeClient::Call> Puts() {
    std::vector<testing::FakeKubeClient::Call> out;
    for (const auto& c : fake_.calls()) {
      if (c.method == "PUT") out.push_back(c);
    }
    return out;
  }

  testing::FakeKubeClient fake_;
  std::unique_ptr<Informer> monitors_, pods_;
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

TEST_F(MonitorReconcilerTest, InvalidSelectorIsTerminalAndRecorded) {
  Load(Monitor({{"matchExpressions", {{{"key", "app"}, {"operator", "Equals"}}}}}));
  fake_.Queue("PUT", kStatus, 200, Monitor({}));
  auto r = reconciler_->Reconcile("ns/m");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kTerminal);
  EXPECT_NE(r.error.find("matchExpressions[0].operator"), std::string::npos) << r.error;
  auto puts = Puts();
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].body["status"]["conditions"][2]["reason"], "InvalidSelector");
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

TEST_F(MonitorReconcilerTest, DeletedMonitorIsDone) {
  Load(Monitor({{"matchLabels", {{"app", "fraud"}}}}));
  auto r = reconciler_->Reconcile("ns/gone");
  EXPECT_EQ(r.kind, ReconcileResult::Kind::kDone);
  EXPECT_TRUE(Puts().empty());
}

}  // namespace
}  // namespace mm::op
