// The Remediator's calls against a scripted API: the intent is recorded before
// any change, a refused intent changes nothing, and an interrupted action is
// never repeated by the next leader.
#include "operator/remediation/remediator.h"

#include <gtest/gtest.h>

#include "operator/remediation/remediation_policy.h"
#include "operator/remediation/revision_selector.h"
#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;
using testing::FakeKubeClient;

const char* kDeployment = "/apis/apps/v1/namespaces/team/deployments/fraud";
const char* kReplicaSets = "/apis/apps/v1/namespaces/team/replicasets?labelSelector=app%3Dfraud";

json Template(const std::string& image) {
  return {{"metadata", {{"labels", {{"app", "fraud"}}}}},
          {"spec", {{"containers", {{{"name", "model"}, {"image", image}}}}}}};
}

json Deployment() {
  return {{"metadata",
           {{"name", "fraud"},
            {"uid", "d1"},
            {"resourceVersion", "7"},
            {"annotations", {{kRevisionAnnotation, "2"}}}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", "fraud"}}}}}, {"template", Template("m:2")}}}};
}

json ReplicaSets() {
  json items = json::array();
  for (int rev : {1, 2}) {
    items.push_back(
        {{"metadata",
          {{"name", "fraud-" + std::to_string(rev)},
           {"annotations", {{kRevisionAnnotation, std::to_string(rev)}}},
           {"ownerReferences", {{{"kind", "Deployment"}, {"uid", "d1"}, {"controller", true}}}}}},
         {"spec", {{"template", Template("m:" + std::to_string(rev))}}}});
  }
  return {{"items", items}};
}

api::ModelMonitor Monitor() {
  api::ModelMonitor m;
  m.metadata.name = "fraud";
  m.metadata.namespace_name = "team";
  m.metadata.uid = "u1";
  m.spec.target.name = "fraud";
  m.spec.remediation.retrain_job_template =
      json{{"spec",
            {{"template", {{"spec", {{"containers", {{{"name", "t"}, {"image", "trainer"}}}}}}}}}}};
  return m;
}

ActionCause Cause() {
  ActionCause c;
  c.alert = "slow";
  c.value = 0.31;
  c.samples = 812;
  c.threshold = 0.2;
  c.window = "10s";
  c.episode = SystemTime(std::chrono::seconds(1'795'320'000));
  c.now = c.episode;
  return c;
}

int Count(const FakeKubeClient& k, const std::string& method) {
  int n = 0;
  for (const auto& c : k.calls()) n += c.method == method;
  return n;
}

TEST(RemediatorTest, RollbackRecordsTheIntentThenPatches) {
  FakeKubeClient kube;
  kube.Queue("GET", kDeployment, 200, Deployment());
  kube.Queue("GET", kReplicaSets, 200, ReplicaSets());
  kube.Queue("PATCH", kDeployment, 200, Deployment());
  Remediator r(kube);
  int patches_before_intent = -1;
  ActionOutcome out = r.Rollback(Monitor(), Cause(), false, [&](const api::RemediationRecord& rec) {
    patches_before_intent = Count(kube, "PATCH");
    EXPECT_EQ(rec.result, api::RemediationResult::kStarted);
    EXPECT_EQ(rec.from_revision, 2);
    EXPECT_EQ(rec.to_revision, 1);
    return true;
  });
  EXPECT_EQ(patches_before_intent, 0);
  EXPECT_EQ(out.record.result, api::RemediationResult::kSucceeded);
  EXPECT_EQ(out.reason, "RolledBack");
  EXPECT_EQ(out.note,
            "rolled back Deployment fraud from revision 2 to revision 1 (ReplicaSet fraud-1); "
            "alert slow measured 0.31 (threshold 0.2, window 10s, 812 samples)");
  const auto calls = kube.calls();
  ASSERT_EQ(calls.back().method, "PATCH");
  EXPECT_EQ(calls.back().body[1]["value"], Template("m:1"));
}

TEST(RemediatorTest, TakeRunsEachActionAsItselfAndNoneChangesNothing) {
  FakeKubeClient kube;
  kube.Queue("POST", "/apis/batch/v1/namespaces/team/jobs", 201);
  Remediator r(kube);
  auto recorded = [](const api::RemediationRecord&) { return true; };
  ActionOutcome retrain = r.Take(api::Action::kRetrain, Monitor(), Cause(), false, recorded);
  EXPECT_EQ(retrain.record.action, api::Action::kRetrain);
  EXPECT_EQ(retrain.reason, "RetrainJobCreated");
  EXPECT_EQ(Count(kube, "POST"), 1);
  EXPECT_EQ(Count(kube, "GET"), 0) << "a retrain reads no Deployment";

  ActionOutcome none = r.Take(api::Action::kNone, Monitor(), Cause(), false, recorded);
  EXPECT_EQ(none.record.action, api::Action::kNone);
  EXPECT_EQ(none.record.result, api::RemediationResult::kSkipped);
  EXPECT_EQ(kube.calls().size(), 1u) << "none calls nothing";

  kube.Queue("GET", kDeployment, 404);
  ActionOutcome rollback = r.Take(api::Action::kRollback, Monitor(), Cause(), false, recorded);
  EXPECT_EQ(rollback.record.action, api::Action::kRollback);
  EXPECT_EQ(kube.calls().back().path, kDeployment);

  EXPECT_EQ(EventAction(api::Action::kRollback), "Rollback");
  EXPECT_EQ(EventAction(api::Action::kRetrain), "Retrain");
  EXPECT_EQ(EventAction(api::Action::kNone), "None");
}

TEST(RemediatorTest, NoPatchWhenTheIntentCannotBeRecorded) {
  FakeKubeClient kube;
  kube.Queue("GET", kDeployment, 200, Deployment());
  kube.Queue("GET", kReplicaSets, 200, ReplicaSets());
  Remediator r(kube);
  ActionOutcome out =
      r.Rollback(Monitor(), Cause(), false, [](const api::RemediationRecord&) { return false; });
  EXPECT_EQ(out.record.result, api::RemediationResult::kFailed);
  EXPECT_EQ(Count(kube, "PATCH"), 0);
}

TEST(RemediatorTest, DryRunPlansAndChangesNothing) {
  FakeKubeClient kube;
  kube.Queue("GET", kDeployment, 200, Deployment());
  kube.Queue("GET", kReplicaSets, 200, ReplicaSets());
  Remediator r(kube);
  bool intent = false;
  ActionOutcome out = r.Rollback(Monitor(), Cause(), true, [&](const api::RemediationRecord&) {
    intent = true;
    return true;
  });
  EXPECT_EQ(out.record.result, api::RemediationResult::kDryRun);
  EXPECT_EQ(out.record.to_revision, 1);
  EXPECT_FALSE(intent);
  EXPECT_EQ(Count(kube, "PATCH"), 0);

  ActionOutcome retrain =
      r.Retrain(Monitor(), Cause(), true, [&](const api::RemediationRecord&) { return true; });
  EXPECT_EQ(retrain.record.result, api::RemediationResult::kDryRun);
  EXPECT_EQ(Count(kube, "POST"), 0);
}

TEST(RemediatorTest, RetrainAlreadyExistsIsSuccessAndInterruptedOnesAreNotRetried) {
  FakeKubeClient kube;
  kube.Queue("POST", "/apis/batch/v1/namespaces/team/jobs", 409,
             {{"message", "jobs.batch already exists"}});
  Remediator r(kube);
  ActionOutcome out =
      r.Retrain(Monitor(), Cause(), false, [](const api::RemediationRecord&) { return true; });
  EXPECT_EQ(out.record.result, api::RemediationResult::kStarted);
  EXPECT_NE(out.record.message.find("already exists"), std::string::npos);

  // A new leader finds the intent of a Job that was never created: Failed, no new Job.
  api::RemediationRecord intent = out.record;
  intent.message = "creating Job " + intent.job;
  auto followed = r.Follow(Monitor(), intent);  // GET answers 404: nothing scripted
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->record.result, api::RemediationResult::kFailed);
  EXPECT_NE(followed->record.message.find("not retried"), std::string::npos);
  EXPECT_EQ(Count(kube, "POST"), 1);

  // A running Job stays Started; a complete one Succeeded.
  const std::string job = "/apis/batch/v1/namespaces/team/jobs/" + out.record.job;
  kube.Queue("GET", job, 200, {{"status", {{"active", 1}}}});
  EXPECT_FALSE(r.Follow(Monitor(), out.record));
  kube.Queue("GET", job, 200,
             {{"status", {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}});
  auto done = r.Follow(Monitor(), out.record);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->record.result, api::RemediationResult::kSucceeded);
  EXPECT_EQ(done->reason, "RetrainSucceeded");
}

TEST(RemediatorTest, InterruptedRollbackIsConfirmedFromTheAnnotationNeverRepeated) {
  FakeKubeClient kube;
  Remediator r(kube);
  api::RemediationRecord started;
  started.time = "2026-11-22T04:00:00Z";
  started.alert = "slow";
  started.action = api::Action::kRollback;
  started.result = api::RemediationResult::kStarted;
  started.from_revision = 2;
  started.to_revision = 1;
  json landed = Deployment();
  landed["metadata"]["annotations"]["modelmonitor.io/rollback"] =
      Remediator::RollbackNote("team", "fraud", started);
  kube.Queue("GET", kDeployment, 200, landed);
  auto a = r.Follow(Monitor(), started);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->record.result, api::RemediationResult::kSucceeded);
  kube.Queue("GET", kDeployment, 200, Deployment());
  auto b = r.Follow(Monitor(), started);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->record.result, api::RemediationResult::kFailed);
  EXPECT_EQ(Count(kube, "PATCH"), 0);
}

// A rollback whose patch meets a resourceVersion conflict reads, plans and
// patches again; one that keeps conflicting is Skipped (spends nothing, tried
// again at the next evaluation), never Failed.
TEST(RemediatorTest, ConflictIsRetriedNeverFailed) {
  FakeKubeClient kube;
  for (int i = 0; i < 2; ++i) {
    kube.Queue("GET", kDeployment, 200, Deployment());
    kube.Queue("GET", kReplicaSets, 200, ReplicaSets());
  }
  kube.Queue("PATCH", kDeployment, 422,
             {{"message",
               "the server rejected our request: testing value /metadata/resourceVersion "
               "failed: test failed"}});
  kube.Queue("PATCH", kDeployment, 200, Deployment());
  Remediator r(kube);
  int intents = 0;
  auto recorded = [&](const api::RemediationRecord&) { return ++intents > 0; };
  ActionOutcome out = r.Rollback(Monitor(), Cause(), false, recorded);
  EXPECT_EQ(out.record.result, api::RemediationResult::kSucceeded) << out.record.message;
  EXPECT_EQ(Count(kube, "PATCH"), 2);
  EXPECT_EQ(intents, 1) << "the same plan: the intent stands";

  for (int i = 0; i < 3; ++i) {
    kube.Queue("GET", kDeployment, 200, Deployment());
    kube.Queue("GET", kReplicaSets, 200, ReplicaSets());
    kube.Queue("PATCH", kDeployment, 409, {{"message", "the object has been modified"}});
  }
  out = r.Rollback(Monitor(), Cause(), false, recorded);
  EXPECT_EQ(out.record.result, api::RemediationResult::kSkipped);
  EXPECT_EQ(out.reason, "RollbackConflict");
  EXPECT_FALSE(CountsTowardBudget(out.record));
  EXPECT_EQ(Count(kube, "PATCH"), 5);
}

// The second rollback of a monitor never returns to the template the first
// rolled away from (status.remediations' fromRevision), and changes nothing.
TEST(RemediatorTest, SecondRollbackNeverReturnsToTheRevisionRolledAwayFrom) {
  FakeKubeClient kube;
  json dep = Deployment();
  dep["metadata"]["annotations"][kRevisionAnnotation] = "3";
  dep["spec"]["template"] = Template("m:1");
  json rs = ReplicaSets();
  rs["items"][0]["metadata"]["annotations"][kRevisionAnnotation] = "3";
  rs["items"][0]["metadata"]["annotations"][kRevisionHistoryAnnotation] = "1";
  kube.Queue("GET", kDeployment, 200, dep);
  kube.Queue("GET", kReplicaSets, 200, rs);
  api::ModelMonitor m = Monitor();
  api::RemediationRecord first;
  first.time = "2026-11-22T03:00:00Z";
  first.alert = "slow";
  first.action = api::Action::kRollback;
  first.result = api::RemediationResult::kSucceeded;
  first.from_revision = 2;
  first.to_revision = 1;
  m.status.remediations.push_back(first);
  bool intent = false;
  Remediator r(kube);
  ActionOutcome out = r.Rollback(m, Cause(), false, [&](const api::RemediationRecord&) {
    intent = true;
    return true;
  });
  EXPECT_EQ(out.record.result, api::RemediationResult::kSkipped);
  EXPECT_EQ(out.reason, "NoSafeRevision");
  EXPECT_FALSE(intent);
  EXPECT_EQ(Count(kube, "PATCH"), 0);
}

// A leader that recorded a retrain intent and stopped before creating the Job:
// the next one creates it (the episode's name), AlreadyExists is another
// leader's, and an episode that is over gets none.
TEST(RemediatorTest, InterruptedRetrainJobIsCreatedByTheNextLeader) {
  FakeKubeClient kube;
  Remediator r(kube);
  api::ModelMonitor m = Monitor();
  api::AlertRule rule;
  rule.name = "slow";
  rule.window = std::chrono::seconds(10);
  m.spec.alerts.push_back(rule);
  api::AlertStatus firing;
  firing.name = "slow";
  firing.state = api::AlertState::kFiring;
  firing.since = FormatRfc3339(Cause().episode);
  m.status.alerts.push_back(firing);
  kube.Queue("POST", "/apis/batch/v1/namespaces/team/jobs", 201);
  ActionOutcome first =
      r.Retrain(m, Cause(), false, [](const api::RemediationRecord&) { return true; });
  const json made = kube.calls().back().body;
  api::RemediationRecord intent = first.record;
  intent.message = "creating Job " + intent.job;

  kube.Queue("POST", "/apis/batch/v1/namespaces/team/jobs", 201);
  auto followed = r.Follow(m, intent);  // GET answers 404
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->record.result, api::RemediationResult::kStarted);
  EXPECT_EQ(followed->reason, "RetrainJobCreated");
  EXPECT_EQ(Count(kube, "POST"), 2);
  EXPECT_EQ(kube.calls().back().body, made) << "the same Job the first leader would have made";

  kube.Queue("POST", "/apis/batch/v1/namespaces/team/jobs", 409, {{"message", "exists"}});
  followed = r.Follow(m, intent);
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->record.result, api::RemediationResult::kStarted);
  EXPECT_NE(followed->record.message.find("already exists"), std::string::npos);

  m.status.alerts[0].since = "2026-11-22T05:00:00Z";  // a later episode
  followed = r.Follow(m, intent);
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->record.result, api::RemediationResult::kFailed);
  EXPECT_EQ(Count(kube, "POST"), 3);
}

}  // namespace
}  // namespace mm::op
