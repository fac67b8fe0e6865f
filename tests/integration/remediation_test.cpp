// Alerts and remediation end to end on the real control plane (etcd,
// kube-apiserver, kube-controller-manager): the test plays the kubelet
// (PlayedKubelet: a real modelmonitor-sidecar process per pod on 127.0.0.N in
// front of a test model server, pod status patched Ready), drives traffic
// through the sidecars, and runs the operator in-process with a short
// --evaluation-interval. The real deployment and job controllers create the
// ReplicaSets, pods and Job pods.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "common/api/monitor_tokens.h"
#include "common/kube/resource_path.h"
#include "operator/controller.h"
#include "tests/support/control_plane.h"
#include "tests/support/controllable_model.h"
#include "tests/support/http_call.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/played_kubelet.h"
#include "tests/support/remediation_fixture.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using RemediationTest = RemediationFixture;

TEST_F(RemediationTest, SlowRevisionIsRolledBackToThePreviousOne) {
  Model good, slow;
  slow.delay_ms = 300;
  StartKubelet({{"model:1", &good}, {"model:2", &slow}});
  CreateDeployment("model:1");
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 2; }, 60s)) << "rev 1 never ran";
  CreateMonitor({{"name", "slow"},
                 {"metric", "latency_p99_seconds"},
                 {"op", ">"},
                 {"threshold", 0.2},
                 {"window", "10s"},
                 {"for", "2s"},
                 {"minSamples", 20},
                 {"action", "rollback"}},
                {{"cooldown", "1h"}, {"maxActionsPerDay", 3}});
  StartOperator("op-a");
  StartTraffic();
  ASSERT_TRUE(WaitFor(
      [&] {
        json a = Alert();
        return a.value("state", "") == "Inactive" && a.value("samples", 0) >= 20;
      },
      60s, 100ms))
      << Monitor()["status"].dump(2);
  EXPECT_GT(Monitor()["status"]["metrics"].value("latency_p99_seconds", 1.0), 0.0);

  // Revision 2: a slow model.
  DeployImage("model:2");
  const auto deployed = Clock::now();
  ASSERT_TRUE(WaitAlert("Pending")) << Monitor()["status"].dump(2);
  const auto pending = Clock::now();
  ASSERT_TRUE(WaitAlert("Firing", 30s)) << Monitor()["status"].dump(2);
  const auto firing = Clock::now();
  ASSERT_TRUE(WaitFor([&] { return DeploymentImage() == "model:1"; }, 30s, 20ms))
      << Monitor()["status"].dump(2);
  const auto patched = Clock::now();

  json dep = Deployment();
  EXPECT_NE(
      dep["metadata"]["annotations"].value("modelmonitor.io/rollback", "").find("revision 2 -> 1"),
      std::string::npos)
      << dep["metadata"]["annotations"].dump();
  const json template_now = dep["spec"]["template"];
  EXPECT_FALSE(template_now["metadata"]["labels"].contains("pod-template-hash"));
  // The record says Started before the patch (the intent) and Succeeded after it.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json rs = Remediations();
        return !rs.empty() && rs.back().value("result", "") == "Succeeded";
      },
      10s, 20ms))
      << Monitor()["status"].dump(2);
  json recs = Remediations();
  const json last = recs.back();
  EXPECT_EQ(last["action"], "rollback");
  EXPECT_EQ(last["fromRevision"], 2);
  EXPECT_EQ(last["toRevision"], 1);
  EXPECT_GT(last["value"].get<double>(), 0.2);
  EXPECT_EQ(Monitor()["status"]["lastAction"], "rollback Succeeded");

  // The deployment controller brings revision 1's template back as revision 3;
  // the played kubelet runs it in front of the good model; the alert resolves.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pods = kubelet_->Ready();
        if (pods.size() != 2) return false;
        for (const auto& p : pods) {
          if (p.upstream != good.address()) return false;
        }
        return true;
      },
      60s))
      << "revision 1's template never came back";
  EXPECT_TRUE(WaitAlert("Inactive", 60s)) << Monitor()["status"].dump(2);
  EXPECT_EQ(Deployment()["metadata"]["annotations"].value("deployment.kubernetes.io/revision", ""),
            "3");
  ASSERT_TRUE(WaitEvent("RolledBack"));
  const std::string note = Events("RolledBack")[0].value("note", "");
  for (const char* part : {"from revision 2 to revision 1", "threshold 0.2", "window 10s",
                           "samples", "alert slow measured"}) {
    EXPECT_NE(note.find(part), std::string::npos) << part << " in: " << note;
  }
  for (const char* reason : {"AlertPending", "AlertFiring"}) {
    EXPECT_TRUE(WaitEvent(reason)) << reason;
  }
  // Leaving Firing is AlertResolved, with the measured value, whether straight to
  // Inactive or, when the replaced pods' window holds fewer than minSamples for a
  // round (a slow machine, ASan), through Inconclusive, which keeps the episode
  // (docs/alerts.md, "Lifecycle").
  ASSERT_TRUE(WaitEvent("AlertResolved", 30s)) << "no Event recorded the alert leaving Firing";
  EXPECT_NE(Events("AlertResolved")[0].value("note", "").find("latency_p99_seconds "),
            std::string::npos)
      << Events("AlertResolved")[0].dump();
  EXPECT_TRUE(Events("AlertInactive").empty()) << "an episode never ends as AlertInactive";
  EXPECT_NE(Events("AlertFiring")[0].value("note", "").find("latency_p99_seconds"),
            std::string::npos);
  EXPECT_EQ(Remediations().size(), 1u) << "one rollback for one episode";
  std::cout << "rollback timings (ms): revision 2 deployed -> Pending " << Ms(pending - deployed)
            << ", Pending -> Firing " << Ms(firing - pending) << " (for: 2s), Firing -> "
            << "Deployment patched " << Ms(patched - firing) << ", threshold crossed (Pending) -> "
            << "patched " << Ms(patched - pending) << "\n";
}

// Rolled back 2 -> 1, the deployment controller serves revision 1's template as
// revision 3. When that one fails too, the revision below it is 2, the one just
// rolled away from: no safe revision, recorded Skipped, nothing changes.
TEST_F(RemediationTest, SecondRollbackNeverReturnsToTheRevisionRolledAwayFrom) {
  Model good, slow;
  slow.delay_ms = 300;
  StartKubelet({{"model:1", &good}, {"model:2", &slow}});
  CreateDeployment("model:1");
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 2; }, 60s)) << "rev 1 never ran";
  CreateMonitor({{"name", "slow"},
                 {"metric", "latency_p99_seconds"},
                 {"op", ">"},
                 {"threshold", 0.2},
                 {"window", "10s"},
                 {"for", "0s"},
                 {"minSamples", 20},
                 {"action", "rollback"}},
                {{"cooldown", "0s"}, {"maxActionsPerDay", 10}});
  StartOperator("op-a");
  StartTraffic();
  ASSERT_TRUE(WaitAlert("Inactive")) << Monitor()["status"].dump(2);
  DeployImage("model:2");
  ASSERT_TRUE(WaitFor([&] { return DeploymentImage() == "model:1"; }, 60s, 20ms))
      << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Deployment()["metadata"]["annotations"].value("deployment.kubernetes.io/revision",
                                                             "") == "3";
      },
      30s));
  ASSERT_TRUE(WaitAlert("Inactive")) << Monitor()["status"].dump(2);

  // Revision 3 (revision 1's template) turns slow: a new episode.
  good.delay_ms = 300;
  ASSERT_TRUE(WaitFor(
      [&] {
        const json recs = Remediations();
        return recs.size() >= 2 && recs.back().value("result", "") == "Skipped";
      },
      60s, 50ms))
      << Monitor()["status"].dump(2);
  const json skipped = Remediations().back();
  EXPECT_EQ(skipped["fromRevision"], 3);
  EXPECT_NE(skipped.value("message", "").find("rolled away from"), std::string::npos)
      << skipped.dump();
  EXPECT_TRUE(WaitEvent("NoSafeRevision"));
  ASSERT_TRUE(WaitRounds(0, 4));
  EXPECT_EQ(DeploymentImage(), "model:1") << "never back to revision 2's model:2";
  EXPECT_EQ(Deployment()["metadata"]["annotations"].value("deployment.kubernetes.io/revision", ""),
            "3");
  good.delay_ms = 0;
}

TEST_F(RemediationTest, NoEarlierRevisionIsReportedAndNothingChanges) {
  Model slow;
  slow.delay_ms = 300;
  StartKubelet({{"model:1", &slow}});
  CreateDeployment("model:1", 1);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
  CreateMonitor({{"name", "slow"},
                 {"metric", "latency_p50_seconds"},
                 {"op", ">"},
                 {"threshold", 0.2},
                 {"window", "10s"},
                 {"minSamples", 5},
                 {"action", "rollback"}},
                {{"cooldown", "0s"}});
  StartOperator("op-a");
  StartTraffic(2);
  ASSERT_TRUE(WaitAlert("Firing")) << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitEvent("NoEarlierRevision")) << Remediations().dump(2);
  ASSERT_TRUE(WaitRounds(0, 4));
  json recs = Remediations();
  ASSERT_EQ(recs.size(), 1u) << "recorded once per episode: " << recs.dump(2);
  EXPECT_EQ(recs[0]["result"], "Skipped");
  EXPECT_EQ(recs[0]["fromRevision"], 1);
  EXPECT_NE(recs[0].value("message", "").find("no earlier revision"), std::string::npos);
  EXPECT_EQ(DeploymentImage(), "model:1");
  EXPECT_EQ(Deployment()["metadata"]["annotations"].value("deployment.kubernetes.io/revision", ""),
            "1");
}

TEST_F(RemediationTest, RetrainCreatesOneJobAcrossRestartsAndTwoReplicas) {
  Model broken;
  broken.status = 500;
  StartKubelet({{"model:1", &broken}});
  CreateDeployment("model:1", 1);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
  CreateMonitor(ErrorRateAlert("retrain"),
                {{"cooldown", "0s"}, {"retrain", {{"jobTemplate", RetrainTemplate()}}}});
  const int a = StartOperator("op-a");
  const int b = StartOperator("op-b");
  StartTraffic(2);
  ASSERT_TRUE(WaitFor([&] { return Jobs().size() == 1; }, 60s)) << Monitor()["status"].dump(2);
  const json job = Jobs()[0];
  const std::string job_name = job["metadata"]["name"];
  EXPECT_EQ(job["metadata"]["labels"]["modelmonitor.io/alert"], "errors");
  EXPECT_EQ(job["metadata"]["annotations"]["modelmonitor.io/window"], "10s");
  EXPECT_GT(std::stod(job["metadata"]["annotations"]["modelmonitor.io/value"].get<std::string>()),
            0.5);
  bool env_named_alert = false;
  for (const auto& e : job["spec"]["template"]["spec"]["containers"][0]["env"]) {
    if (e["name"] == "MM_ALERT" && e["value"] == "errors") env_named_alert = true;
  }
  EXPECT_TRUE(env_named_alert);

  // Kill the leader (as a restart would); the other replica takes over, then a
  // fresh third process joins: the episode was handled, no second Job.
  const int leader = operators_[static_cast<size_t>(a)]->IsLeader() ? a : b;
  const int other = leader == a ? b : a;
  operators_[static_cast<size_t>(leader)]->Stop();
  operators_[static_cast<size_t>(leader)].reset();
  ASSERT_TRUE(WaitFor([&] { return operators_[static_cast<size_t>(other)]->Working(); }, 30s));
  ASSERT_TRUE(WaitRounds(other, 4));
  const int third = StartOperator("op-c");
  operators_[static_cast<size_t>(other)]->Stop();
  ASSERT_TRUE(WaitFor([&] { return operators_[static_cast<size_t>(third)]->Working(); }, 30s));
  ASSERT_TRUE(WaitRounds(third, 4));
  EXPECT_TRUE(AlertIs("Firing"));
  ASSERT_EQ(Jobs().size(), 1u);
  EXPECT_EQ(Jobs()[0]["metadata"]["name"], job_name);
  json recs = Remediations();
  ASSERT_EQ(recs.size(), 1u) << recs.dump(2);
  EXPECT_EQ(recs[0]["job"], job_name);
  EXPECT_EQ(recs[0]["result"], "Started");

  // The job controller made the Job's pod; play its kubelet: it succeeded.
  ResourcePath pods{"v1", "pods", ns_};
  pods.query["labelSelector"] = "job-name=" + job_name;
  json pod;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto items = admin_->Get(pods.Url()).body.value("items", json::array());
        if (items.empty()) return false;
        pod = items[0];
        return true;
      },
      30s));
  const std::string now = job["metadata"].value("creationTimestamp", "");
  auto done =
      admin_->Patch(ResourcePath{"v1", "pods", ns_, pod["metadata"]["name"], "status"}.Url(),
                    {{"status",
                      {{"phase", "Succeeded"},
                       {"startTime", now},
                       {"containerStatuses",
                        {{{"name", "train"},
                          {"image", "trainer:1"},
                          {"imageID", ""},
                          {"ready", false},
                          {"restartCount", 0},
                          {"state",
                           {{"terminated",
                             {{"exitCode", 0},
                              {"reason", "Completed"},
                              {"startedAt", now},
                              {"finishedAt", now}}}}}}}}}}},
                    kube::PatchType::kMerge);
  ASSERT_TRUE(done.ok()) << done.Message();
  ASSERT_TRUE(WaitFor([&] { return Remediations()[0].value("result", "") == "Succeeded"; }, 60s))
      << Remediations().dump(2);
  EXPECT_TRUE(WaitEvent("RetrainSucceeded"));
  EXPECT_TRUE(WaitEvent("RetrainJobCreated"));
  EXPECT_EQ(Events("RetrainJobCreated").size(), 1u);
}

// A leader that recorded a retrain intent (Started) and stopped before the Job
// existed: here Job creation is forbidden for it by a ResourceQuota of 0 Jobs
// (the real quota admission), it stops, the quota goes, and the next leader
// creates the episode's Job: exactly one.
TEST_F(RemediationTest, RetrainIntentWithoutJobIsCreatedByTheNextLeader) {
  json quota = {{"apiVersion", "v1"},
                {"kind", "ResourceQuota"},
                {"metadata", {{"name", "no-jobs"}}},
                {"spec", {{"hard", {{"count/jobs.batch", "0"}}}}}};
  const ResourcePath quota_path{"v1", "resourcequotas", ns_, "no-jobs"};
  ASSERT_TRUE(admin_->Create(ResourcePath{"v1", "resourcequotas", ns_}.Url(), quota).ok());
  Model broken;
  broken.status = 500;
  StartKubelet({{"model:1", &broken}});
  CreateDeployment("model:1", 1);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
  CreateMonitor(ErrorRateAlert("retrain"),
                {{"cooldown", "0s"}, {"retrain", {{"jobTemplate", RetrainTemplate()}}}});
  const int a = StartOperator("op-a");
  StartTraffic(2);
  ASSERT_TRUE(WaitFor(
      [&] {
        const json recs = Remediations();
        return recs.size() == 1 && recs[0].value("result", "") == "Started" &&
               recs[0].value("message", "").rfind("creating Job ", 0) == 0;
      },
      60s, 50ms))
      << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitRounds(a, 3));
  operators_[static_cast<size_t>(a)]->Stop();
  operators_[static_cast<size_t>(a)].reset();
  EXPECT_TRUE(Jobs().empty());
  const std::string job_name = Remediations()[0]["job"];

  ASSERT_TRUE(admin_->Delete(quota_path.Url()).ok());
  ASSERT_TRUE(WaitFor([&] { return admin_->Get(quota_path.Url()).status == 404; }, 30s));
  const int b = StartOperator("op-b");
  ASSERT_TRUE(WaitFor([&] { return Jobs().size() == 1; }, 60s)) << Monitor()["status"].dump(2);
  EXPECT_EQ(Jobs()[0]["metadata"]["name"], job_name);
  ASSERT_TRUE(WaitRounds(b, 4));
  EXPECT_EQ(Jobs().size(), 1u);
  const json recs = Remediations();
  ASSERT_EQ(recs.size(), 1u) << recs.dump(2);
  EXPECT_EQ(recs[0]["result"], "Started");
  EXPECT_NE(recs[0].value("message", "").find("created Job " + job_name), std::string::npos)
      << recs[0].dump();
  EXPECT_TRUE(WaitEvent("RetrainJobCreated"));
}

TEST_F(RemediationTest, CooldownBudgetAndDryRunStopFurtherActions) {
  Model model;
  model.status = 500;
  StartKubelet({{"model:1", &model}});
  CreateDeployment("model:1", 1);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
  CreateMonitor(ErrorRateAlert("retrain"), {{"cooldown", "1h"},
                                            {"maxActionsPerDay", 3},
                                            {"retrain", {{"jobTemplate", RetrainTemplate()}}}});
  StartOperator("op-a");
  StartTraffic(3);
  ASSERT_TRUE(WaitFor([&] { return Jobs().size() == 1; }, 60s)) << Monitor()["status"].dump(2);

  // The alert flaps: resolved, then a new episode.
  auto flap = [&] {
    model.status = 200;
    ASSERT_TRUE(WaitAlert("Inactive")) << Monitor()["status"].dump(2);
    model.status = 500;
    ASSERT_TRUE(WaitAlert("Firing")) << Monitor()["status"].dump(2);
  };
  auto last_record = [&] {
    json recs = Remediations();
    return recs.empty() ? json::object() : recs.back();
  };
  flap();
  ASSERT_TRUE(WaitFor([&] { return last_record().value("result", "") == "Skipped"; }, 20s))
      << Remediations().dump(2);
  EXPECT_NE(last_record().value("message", "").find("CooldownActive"), std::string::npos);
  EXPECT_TRUE(WaitEvent("CooldownActive"));

  // Budget: no cooldown, but one action a day, already spent.
  PatchRemediation({{"cooldown", "0s"}, {"maxActionsPerDay", 1}});
  flap();
  ASSERT_TRUE(WaitFor(
      [&] { return last_record().value("message", "").find("DailyBudgetSpent") == 0; }, 20s))
      << Remediations().dump(2);
  EXPECT_TRUE(WaitEvent("DailyBudgetSpent"));

  // dryRun: the decision is recorded, nothing is created.
  PatchRemediation({{"cooldown", "0s"}, {"maxActionsPerDay", 10}, {"dryRun", true}});
  flap();
  ASSERT_TRUE(WaitFor([&] { return last_record().value("result", "") == "DryRun"; }, 20s))
      << Remediations().dump(2);
  EXPECT_NE(last_record().value("message", "").find("would create Job"), std::string::npos);
  EXPECT_TRUE(WaitEvent("RetrainDryRun"));
  ASSERT_TRUE(WaitRounds(0, 3));
  EXPECT_EQ(Jobs().size(), 1u) << "one Job in all: cooldown, budget and dryRun stopped the rest";
}

TEST_F(RemediationTest, TooFewSamplesIsInconclusiveAndDoesNothing) {
  Model broken;
  broken.status = 500;
  StartKubelet({{"model:1", &broken}});
  CreateDeployment("model:1", 1);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 1; }, 60s));
  CreateMonitor(ErrorRateAlert("retrain", 1000000),
                {{"cooldown", "0s"}, {"retrain", {{"jobTemplate", RetrainTemplate()}}}});
  StartOperator("op-a");
  StartTraffic(1);
  ASSERT_TRUE(WaitFor(
      [&] {
        json a = Alert();
        return a.value("state", "") == "Inconclusive" && a.value("samples", 0) > 0;
      },
      60s, 100ms))
      << Monitor()["status"].dump(2);
  ASSERT_TRUE(WaitRounds(0, 4));
  json a = Alert();
  EXPECT_EQ(a["state"], "Inconclusive");
  EXPECT_NE(a.value("message", "").find("fewer than minSamples 1000000"), std::string::npos)
      << a.dump();
  EXPECT_DOUBLE_EQ(a.value("value", 0.0), 1.0) << "measured, but not enough to act on";
  EXPECT_TRUE(Remediations().empty());
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(Monitor()["status"].value("firingAlerts", -1), 0);
  EXPECT_TRUE(WaitEvent("AlertInconclusive"));

  // The alert is removed: its state goes with it.
  auto r =
      admin_->Patch(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url(),
                    {{"spec", {{"alerts", json::array()}}}}, kube::PatchType::kMerge);
  ASSERT_TRUE(r.ok()) << r.Message();
  ASSERT_TRUE(WaitFor(
      [&] {
        json st = Monitor()["status"];
        return !st.contains("alerts") && !st.contains("metrics") &&
               ConditionOf(Monitor(), "Alerting")["reason"] == "NoAlerts";
      },
      10s))
      << Monitor()["status"].dump(2);
}

TEST_F(RemediationTest, PodsThatDoNotAnswerAreNamedInStatusAndEvents) {
  Model model;
  StartKubelet({{"model:1", &model}});
  CreateDeployment("model:1", 2);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Ready().size() == 2; }, 60s));
  // The Secret holds another token than the sidecars were given: they answer 403.
  auto r = admin_->Patch(ResourcePath{"v1", "secrets", ns_, api::TokenSecretName("fraud")}.Url(),
                         {{"stringData", {{"admin-token", "not-the-sidecars-token"}}}},
                         kube::PatchType::kMerge);
  ASSERT_TRUE(r.ok()) << r.Message();
  CreateMonitor(ErrorRateAlert("none"), {{"cooldown", "0s"}});
  StartOperator("op-a");
  StartTraffic(1);
  ASSERT_TRUE(WaitEvent("SidecarsUnreachable")) << Monitor()["status"].dump(2);
  const std::string note = Events("SidecarsUnreachable")[0].value("note", "");
  EXPECT_NE(note.find("2 of 2 pods did not answer"), std::string::npos) << note;
  EXPECT_NE(note.find("HTTP 403"), std::string::npos) << note;
  ASSERT_TRUE(WaitFor(
      [&] { return ConditionOf(Monitor(), "Alerting")["reason"] == "SidecarsUnreachable"; }, 10s))
      << Monitor()["status"].dump(2);
  json alerting = ConditionOf(Monitor(), "Alerting");
  EXPECT_NE(alerting.value("message", "").find("0 of 2 Ready pods answered"), std::string::npos)
      << alerting.dump();
  EXPECT_EQ(Alert().value("state", ""), "Inconclusive") << "no data is no verdict";
}

}  // namespace
}  // namespace mm::testing
