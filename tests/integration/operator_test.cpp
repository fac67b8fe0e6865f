// The operator's control loop against the real control plane, in-process (the
// same library the binary runs): status converges on create/update/delete,
// survives a kube-apiserver restart, re-lists after a 410, wins a 409, and
// records Events. Leader election runs the real binary twice:
// leader_election_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "common/kube/rest_kube_client.h"
#include "operator/controller.h"
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

class OperatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InstallModelMonitorCrd(ControlPlaneEnvironment::Get()); }

  void SetUp() override {
    admin_ = ControlPlaneEnvironment::Get().AdminClient();
    operator_client_ = ControlPlaneEnvironment::Get().OperatorClient();
    client_ = std::make_unique<InterceptingClient>(*operator_client_);
    ns_ = CreateNamespace(*admin_, "op");
  }
  void TearDown() override {
    if (controller_) controller_->Stop();
  }

  void StartOperator() {
    op::ControllerOptions o = NamespacedControllerOptions(ns_, "test-" + ns_);
    controller_ = std::make_unique<op::Controller>(*client_, o, &metrics_);
    controller_->Start();
    ASSERT_TRUE(WaitFor([&] { return controller_->Working(); }, 60s)) << "never became leader";
  }

  // The operator leading, and monitor "m" selecting pod "p" (not injected), with
  // its target: status converged at generation 1.
  void StartWithMonitorOfOnePod() {
    CreatePod("p", {{"app", "m"}}, "");
    CreateTarget("m");
    StartOperator();
    ASSERT_TRUE(
        admin_->Create(Monitors().Url(), ModelMonitor("m", {{"matchLabels", {{"app", "m"}}}}))
            .ok());
    ASSERT_TRUE(Converges("m", 1, [](const json& m) {
      return ConditionOf(m, "Injected")["reason"] == "PodsNotInjected";
    }));
  }
  // Monitor "m" selects no pod any more (generation 2); whether the API took it.
  bool SelectNoPods() {
    return admin_
        ->Patch(Monitor("m").Url(),
                {{"spec", {{"selector", {{"matchLabels", {{"app", "none"}}}}}}}},
                kube::PatchType::kMerge)
        .ok();
  }

  ResourcePath Monitors() const { return {"modelmonitor.io/v1alpha1", "modelmonitors", ns_}; }
  ResourcePath Monitor(const std::string& name) const {
    return {"modelmonitor.io/v1alpha1", "modelmonitors", ns_, name};
  }
  json Get(const std::string& name) { return admin_->Get(Monitor(name).Url()).body; }
  void CreatePod(const std::string& name, const json& labels, const std::string& injected_by) {
    auto r = admin_->Create(ResourcePath{"v1", "pods", ns_}.Url(), Pod(name, labels, injected_by));
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  void CreateTarget(const std::string& name) {
    auto r =
        admin_->Create(ResourcePath{"apps/v1", "deployments", ns_}.Url(), TargetDeployment(name));
    ASSERT_TRUE(r.ok()) << r.Message();
  }
  // Waits until the monitor's status reflects generation `gen` and `pred` holds.
  bool Converges(const std::string& name, int64_t gen, const std::function<bool(const json&)>& pred,
                 std::chrono::milliseconds timeout = 20s) {
    return WaitFor(
        [&] {
          json m = Get(name);
          return m.value("status", json::object()).value("observedGeneration", int64_t{-1}) ==
                     gen &&
                 pred(m);
        },
        timeout, 50ms);
  }
  std::vector<json> EventsFor(const std::string& name) {
    std::vector<json> out;
    auto r = admin_->Get(ResourcePath{"events.k8s.io/v1", "events", ns_}.Url());
    for (const auto& e : r.body.value("items", json::array())) {
      if (e["regarding"].value("name", "") == name) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<kube::RestKubeClient> admin_;
  std::unique_ptr<kube::RestKubeClient> operator_client_;
  std::unique_ptr<InterceptingClient> client_;
  op::OperatorMetrics metrics_;
  std::unique_ptr<op::Controller> controller_;
  std::string ns_;
};

TEST_F(OperatorTest, StatusConvergesOnCreateUpdateAndDelete) {
  CreatePod("fraud-a", {{"app", "fraud"}, {"track", "stable"}}, "fraud");
  CreatePod("fraud-b", {{"app", "fraud"}, {"track", "canary"}}, "");
  CreatePod("other", {{"app", "other"}}, "other");
  StartOperator();

  const auto created_at = std::chrono::steady_clock::now();
  auto r = admin_->Create(Monitors().Url(),
                          ModelMonitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, "fraud"));
  ASSERT_TRUE(r.ok()) << r.Message();
  ASSERT_TRUE(Converges("fraud", 1, [](const json& m) {
    return m["status"]["pods"] == json{{"matched", 2}, {"injected", 1}} &&
           ConditionOf(m, "Injected")["reason"] == "PodsNotInjected" &&
           ConditionOf(m, "Degraded")["reason"] == "TargetNotFound" &&
           ConditionOf(m, "Ready")["status"] == "False";
  })) << Get("fraud").dump(2);
  std::cout << "create -> status: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - created_at)
                   .count()
            << " ms\n";
  EXPECT_NE(ConditionOf(Get("fraud"), "Injected")["message"].get<std::string>().find("fraud-b"),
            std::string::npos);

  // The target appears (its pods carry other labels) and the missed pod gets
  // the sidecar's annotation: the monitor becomes Ready without a spec change.
  const json dep = testing::Deployment(
      "fraud", 0, testing::PodTemplate({{"dep", "fraud"}}, testing::ModelContainer("m:1")),
      {{"dep", "fraud"}});
  ASSERT_TRUE(admin_->Create(ResourcePath{"apps/v1", "deployments", ns_}.Url(), dep).ok());
  ASSERT_TRUE(
      admin_
          ->Patch(ResourcePath{"v1", "pods", ns_, "fraud-b"}.Url(),
                  {{"metadata", {{"annotations", {{"modelmonitor.io/injected", "fraud@test"}}}}}},
                  kube::PatchType::kMerge)
          .ok());
  ASSERT_TRUE(Converges("fraud", 1, [](const json& m) {
    return ConditionOf(m, "Ready")["status"] == "True" &&
           ConditionOf(m, "Ready")["reason"] == "Reconciled" &&
           ConditionOf(m, "Degraded")["status"] == "False" && m["status"]["pods"]["injected"] == 2;
  })) << Get("fraud").dump(2);

  // A spec change (generation 2) narrows the selector to the canary pod.
  const auto changed_at = std::chrono::steady_clock::now();
  auto patched = admin_->Patch(
      Monitor("fraud").Url(),
      {{"spec",
        {{"selector",
          {{"matchLabels", {{"app", "fraud"}}},
           {"matchExpressions",
            json::array({{{"key", "track"}, {"operator", "In"}, {"values", {"canary"}}}})}}}}}},
      kube::PatchType::kMerge);
  ASSERT_TRUE(patched.ok()) << patched.Message();
  ASSERT_TRUE(Converges("fraud", 2, [](const json& m) {
    return m["status"]["pods"] == json{{"matched", 1}, {"injected", 1}} &&
           ConditionOf(m, "Ready")["observedGeneration"] == 2;
  })) << Get("fraud").dump(2);
  std::cout << "spec change -> status: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - changed_at)
                   .count()
            << " ms\n";

  // An invalid selector never reaches the reconciler: the CRD's schema refuses it
  // (the reconciler's terminal InvalidSpec path is covered by its unit test).
  auto invalid = admin_->Patch(
      Monitor("fraud").Url(),
      {{"spec",
        {{"selector",
          {{"matchExpressions", json::array({{{"key", "track"}, {"operator", "Equals"}}})}}}}}},
      kube::PatchType::kMerge);
  EXPECT_EQ(invalid.status, 422) << invalid.Message();

  // Events for the decisions, CamelCase reasons, from this operator.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> reasons;
        for (const auto& e : EventsFor("fraud")) reasons.insert(e["reason"]);
        return reasons.count("PodsNotInjected") && reasons.count("Reconciled");
      },
      20s));
  for (const auto& e : EventsFor("fraud")) {
    // The pods existed before the monitor: its first status already counts them
    // (the reconcile waits for the pod cache's re-list for the new selector).
    EXPECT_NE(e["reason"], "NoPodsMatched") << e.dump();
    EXPECT_EQ(e["reportingController"], "modelmonitor.io/operator");
    EXPECT_EQ(e["reportingInstance"], "test-" + ns_);
  }

  // Delete: the reconciler finds it gone and is done (no retries pile up).
  ASSERT_TRUE(admin_->Delete(Monitor("fraud").Url()).ok());
  ASSERT_TRUE(WaitFor([&] { return controller_->monitors().Get(ns_ + "/fraud") == nullptr; }, 20s));
  ASSERT_TRUE(WaitFor([&] { return controller_->queue().Len() == 0; }, 10s));
  EXPECT_EQ(controller_->queue().Waiting(), 0u);
}

TEST_F(OperatorTest, StatusConflictIsRetriedAndWins) {
  CreatePod("p", {{"app", "m"}}, "m");
  CreateTarget("m");
  // Just before the operator's first status write, another writer updates the
  // status: the operator's PUT carries a stale resourceVersion and gets a real 409.
  std::atomic<int> conflicts{0};
  std::atomic<bool> interfered{false};
  client_->before = [&](const std::string& method, std::string& path) {
    if (method == "PUT" && path.find("/modelmonitors/m/status") != std::string::npos &&
        !interfered.exchange(true)) {
      auto r = admin_->Patch(Monitor("m").Url() + "/status",
                             {{"status", {{"lastAction", "another-controller"}}}},
                             kube::PatchType::kMerge);
      EXPECT_TRUE(r.ok()) << r.Message();
    }
  };
  client_->after = [&](const std::string& method, const std::string& path,
                       const kube::ApiResponse& r) {
    if (method == "PUT" && path.find("/status") != std::string::npos && r.status == 409) {
      ++conflicts;
    }
  };
  StartOperator();
  ASSERT_TRUE(
      admin_->Create(Monitors().Url(), ModelMonitor("m", {{"matchLabels", {{"app", "m"}}}})).ok());
  ASSERT_TRUE(Converges("m", 1, [](const json& m) {
    return ConditionOf(m, "Ready")["status"] == "True";
  })) << Get("m").dump(2);
  EXPECT_GE(conflicts, 1);
  EXPECT_EQ(Get("m")["status"]["lastAction"], "another-controller")
      << "the retry re-read the object and kept the other writer's field";
}

TEST_F(OperatorTest, RelistsAfter410AndKeepsConverging) {
  // The monitors informer's first watch is sent from resourceVersion 1, which the
  // API server no longer has: it answers with an ERROR event, code 410.
  ExpireOldResourceVersions(ControlPlaneEnvironment::Get(),
                            "/apis/modelmonitor.io/v1alpha1/modelmonitors");
  std::atomic<bool> rewritten{false};
  client_->before = [&](const std::string& method, std::string& path) {
    if (method == "WATCH" && path.find("/modelmonitors?") != std::string::npos &&
        !rewritten.exchange(true)) {
      const auto at = path.find("resourceVersion=");
      const auto end = path.find('&', at);
      path.replace(at, end - at, "resourceVersion=1");
    }
  };
  StartOperator();
  ASSERT_TRUE(WaitFor([&] { return controller_->monitors().lists() >= 2; }, 30s))
      << "no re-list after the 410";
  EXPECT_NE(metrics_.Serialize().find("modelmonitor_relists_total{informer=\"modelmonitors\"}"),
            std::string::npos);
  CreatePod("p", {{"app", "m"}}, "m");
  CreateTarget("m");
  ASSERT_TRUE(
      admin_->Create(Monitors().Url(), ModelMonitor("m", {{"matchLabels", {{"app", "m"}}}})).ok());
  EXPECT_TRUE(Converges("m", 1, [](const json& m) {
    return ConditionOf(m, "Ready")["status"] == "True";
  })) << Get("m").dump(2);
}

// A token Secret that lacks a key (written by hand, or by an older operator) gets
// it filled in; the key already there is kept, so running sidecars keep working.
TEST_F(OperatorTest, ATokenSecretMissingAKeyIsFilledInAndTheOtherKept) {
  const std::string label_token = Base64Encode("kept-label-token");
  const ResourcePath secret{"v1", "secrets", ns_, api::TokenSecretName("fraud")};
  ASSERT_TRUE(admin_
                  ->Create(ResourcePath{"v1", "secrets", ns_}.Url(),
                           {{"apiVersion", "v1"},
                            {"kind", "Secret"},
                            {"metadata", {{"name", secret.name}}},
                            {"data", {{"label-token", label_token}}}})
                  .ok());
  StartOperator();
  ASSERT_TRUE(
      admin_->Create(Monitors().Url(), ModelMonitor("fraud", {{"matchLabels", {{"app", "m"}}}}))
          .ok());
  json data;
  ASSERT_TRUE(WaitFor(
      [&] {
        data = admin_->Get(secret.Url()).body["data"];
        return data.contains("admin-token");
      },
      30s))
      << data.dump(2);
  EXPECT_EQ(data["label-token"], label_token);
  EXPECT_EQ(Base64Decode(data["admin-token"].get<std::string>())->size(), 64u);
}

TEST_F(OperatorTest, KeepsConvergingAcrossAnApiServerRestart) {
  ASSERT_NO_FATAL_FAILURE(StartWithMonitorOfOnePod());
  const int64_t watches_before = controller_->monitors().watches();

  ASSERT_TRUE(ControlPlaneEnvironment::Get().Command("restart kube-apiserver").ok());

  // The same operator, never restarted, sees changes made after the restart.
  const auto restarted_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor(
      [&] {
        return admin_
            ->Patch(ResourcePath{"v1", "pods", ns_, "p"}.Url(),
                    {{"metadata", {{"annotations", {{"modelmonitor.io/injected", "m@test"}}}}}},
                    kube::PatchType::kMerge)
            .ok();
      },
      60s));
  EXPECT_TRUE(Converges(
      "m", 1, [](const json& m) { return ConditionOf(m, "Ready")["status"] == "True"; }, 60s))
      << Get("m").dump(2);
  std::cout << "API server back -> status converged: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - restarted_at)
                   .count()
            << " ms\n";
  ASSERT_TRUE(SelectNoPods());
  EXPECT_TRUE(Converges("m", 2, [](const json& m) {
    return ConditionOf(m, "Ready")["reason"] == "NoPodsMatched";
  })) << Get("m").dump(2);
  EXPECT_GT(controller_->monitors().watches(), watches_before) << "the watch was re-established";
  // An outage longer than the renew deadline loses the lease (work stops at once);
  // the elector campaigns again and the same process leads once more.
  EXPECT_TRUE(WaitFor([&] { return controller_->Working(); }, 30s));
}

// etcd stopped (SIGSTOP, the launcher's "pause etcd") for longer than the leader's
// renew deadline, then resumed: requests to the API server hang rather than
// fail. The leader must step down while it cannot renew (client-go's
// guarantee that lets a follower take over), lead again after, and converge on
// changes made after the resume.
TEST_F(OperatorTest, ConvergesAfterEtcdIsPausedPastTheRenewDeadline) {
  ASSERT_NO_FATAL_FAILURE(StartWithMonitorOfOnePod());
  // Longer than the renew deadline StartOperator leaves at its default (10 s).
  constexpr auto kPause = 15s;
  ASSERT_GT(kPause, op::LeaderElectionOptions{}.renew_deadline);
  ControlPlane& cp = ControlPlaneEnvironment::Get();

  ASSERT_TRUE(cp.Command("pause etcd").ok());
  const auto paused_at = std::chrono::steady_clock::now();
  {
    // The pause is real: nothing is written while etcd is stopped.
    kube::RestKubeClient impatient(cp.cluster_config(), 3s);
    EXPECT_FALSE(impatient
                     .Create(ResourcePath{"v1", "configmaps", ns_}.Url(),
                             {{"apiVersion", "v1"},
                              {"kind", "ConfigMap"},
                              {"metadata", {{"name", "written-while-paused"}}}})
                     .ok())
        << "etcd is not paused";
  }
  // Unable to renew for the renew deadline, the leader stops working, well
  // before the pause ends.
  const bool stepped_down = WaitFor([&] { return !controller_->Working(); },
                                    std::chrono::duration_cast<std::chrono::milliseconds>(
                                        paused_at + kPause - std::chrono::steady_clock::now()));
  const auto stepped_down_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - paused_at)
                                   .count();
  // The fault is etcd stopped for kPause, held that long whatever happened meanwhile.
  std::this_thread::sleep_until(paused_at + kPause);
  ASSERT_TRUE(cp.Command("resume etcd").ok());
  const auto resumed_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(stepped_down) << "still working " << stepped_down_ms
                            << " ms into the pause, with no renewal since it began";

  // A change made after the resume is reflected in status by the same process,
  // leading again.
  ASSERT_TRUE(WaitFor([&] { return SelectNoPods(); }, 60s));
  EXPECT_TRUE(Converges(
      "m", 2, [](const json& m) { return ConditionOf(m, "Ready")["reason"] == "NoPodsMatched"; },
      90s))
      << Get("m").dump(2);
  const auto converged_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - resumed_at)
                                .count();
  EXPECT_TRUE(controller_->Working() && controller_->IsLeader()) << "leader again";
  std::cout << "[figures] etcd paused " << kPause.count() << " s: leader stepped down "
            << stepped_down_ms
            << " ms into the pause; resumed -> spec change converged in status: " << converged_ms
            << " ms\n";
}

}  // namespace
}  // namespace mm::testing
