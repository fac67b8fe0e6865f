// One monitor's evaluation, end to end without a network: the API is the
// scripted FakeKubeClient, the sidecars answer through a fake SnapshotFetcher,
// the clock is injected. What the evaluator writes becomes what the next round
// reads, as with the API server.
#include "operator/alerts/monitor_evaluator.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "operator/remediation/revision_selector.h"
#include "operator/webhook/annotations.h"
#include "tests/support/deployments.h"
#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kMonitor = "/apis/modelmonitor.io/v1alpha1/namespaces/ns/modelmonitors/m";
const std::string kStatus = kMonitor + "/status";
const std::string kSecret = "/api/v1/namespaces/ns/secrets/m-modelmonitor-tokens";
const std::string kDeployment = "/apis/apps/v1/namespaces/ns/deployments/fraud";
const std::string kReplicaSets =
    "/apis/apps/v1/namespaces/ns/replicasets?labelSelector=app%3Dfraud";
const SystemTime kT0{std::chrono::seconds(1'800'000'000)};

json Pod(const std::string& name, const std::string& ip, const std::string& app = "fraud") {
  return {{"metadata",
           {{"name", name},
            {"namespace", "ns"},
            {"resourceVersion", "1"},
            {"labels", {{"app", app}}},
            {"annotations", {{webhook::kInjectedAnnotation, "m@0.1.0"}}}}},
          {"spec",
           {{"initContainers",
             {{{"name", webhook::kSidecarContainerName},
               {"ports", {{{"name", "mm-admin"}, {"containerPort", 9090}}}}}}}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", ip},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

json ErrorRateAlert(const std::string& action, const std::string& for_duration) {
  return {{"name", "errors"}, {"metric", "error_rate"}, {"op", ">"},        {"threshold", 0.1},
          {"window", "1m"},   {"for", for_duration},    {"minSamples", 10}, {"action", action}};
}

json Monitor(json alerts, json remediation = json::object()) {
  json spec = {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
               {"target", {{"kind", "Deployment"}, {"name", "fraud"}}},
               {"alerts", std::move(alerts)}};
  if (!remediation.empty()) spec["remediation"] = std::move(remediation);
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kKind},
          {"metadata",
           {{"name", "m"},
            {"namespace", "ns"},
            {"uid", "u1"},
            {"generation", 3},
            {"resourceVersion", "7"}}},
          {"spec", std::move(spec)}};
}

// The one bucket a sidecar reports at `now`: `requests` of which `errors` were 503.
json Snapshot(SystemTime now, int requests, int errors) {
  metrics::SidecarSnapshot s;
  s.bucket_seconds = 10;
  metrics::BucketStats b;
  const int64_t unix =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  b.start_unix = unix - unix % 10;
  for (int i = 0; i < requests; ++i) {
    metrics::RequestObservation o;
    o.time = now;
    o.status = i < errors ? 503 : 200;
    o.latency_seconds = 0.05;
    b.Add(o);
  }
  s.buckets.push_back(b);
  return s.ToJson();
}

// Every sidecar answers the same snapshot; the test sets it before each round.
class FakeFetcher : public SnapshotFetcher {
 public:
  Result<json> Fetch(const SidecarEndpoint& e, int64_t, const std::string& token) override {
    std::lock_guard<std::mutex> lock(mu_);
    asked.push_back(e.pod + " " + token);
    return snapshot;
  }
  std::mutex mu_;
  json snapshot;
  std::vector<std::string> asked;
};

// Deployment fraud at revision 2, with the ReplicaSets of revisions 1 and 2:
// a rollback goes to revision 1.
json Deployment() {
  json d = testing::Deployment("fraud", 1, testing::ModelContainer("m:2"));
  d["metadata"]["uid"] = "d1";
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "2"}};
  return d;
}

json ReplicaSets() {
  json items = json::array();
  for (int rev : {1, 2}) {
    items.push_back(
        {{"metadata",
          {{"name", "fraud-" + std::to_string(rev)},
           {"annotations", {{kRevisionAnnotation, std::to_string(rev)}}},
           {"ownerReferences", {{{"kind", "Deployment"}, {"uid", "d1"}, {"controller", true}}}}}},
         {"spec",
          {{"template",
            testing::PodTemplate({{"app", "fraud"}},
                                 testing::ModelContainer("m:" + std::to_string(rev)))}}}});
  }
  return {{"items", items}};
}

class MonitorEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Queue(
        "GET", "/api/v1/namespaces/ns/pods?limit=500", 200,
        {{"items", {Pod("a", "127.0.0.2"), Pod("b", "127.0.0.3"), Pod("c", "127.0.0.4", "other")}},
         {"metadata", {{"resourceVersion", "9"}}}});
    kube::InformerOptions po;
    po.collection = {"v1", "pods", "ns"};
    pods_ = std::make_unique<kube::Informer>(fake_, "pods", po);
    pods_->Start();
    ASSERT_TRUE(pods_->WaitForSync(5s));
    pods_->Stop();
    events_ = std::make_unique<EventRecorder>(fake_, EventOptions{});
    MonitorEvaluator::Deps deps{fake_, *pods_, collector_, remediator_, events_.get()};
    deps.now = [this] { return now_; };
    evaluator_ = std::make_unique<MonitorEvaluator>(std::move(deps));
  }

  // One evaluation at now_ of the object the server holds (server_); what it
  // writes becomes what the server holds. Returns the calls it made.
  std::vector<testing::FakeKubeClient::Call> Round() {
    const size_t before = fake_.calls().size();
    fake_.Queue("GET", kMonitor, 200, server_);
    fake_.Queue("GET", kSecret, 200,
                {{"data", {{std::string(api::kAdminTokenKey), Base64Encode("s3cret")}}}});
    for (int i = 0; i < 2; ++i) fake_.Queue("PUT", kStatus, 200, server_);
    evaluator_->Evaluate("ns", "m");
    std::vector<testing::FakeKubeClient::Call> out;
    const auto calls = fake_.calls();
    for (size_t i = before; i < calls.size(); ++i) {
      if (calls[i].path.find("/events") != std::string::npos) continue;  // posted apart
      out.push_back(calls[i]);
      if (calls[i].method == "PUT" && calls[i].path == kStatus) server_ = calls[i].body;
    }
    return out;
  }
  static int Count(const std::vector<testing::FakeKubeClient::Call>& calls,
                   const std::string& method, const std::string& path) {
    int n = 0;
    for (const auto& c : calls) n += c.method == method && c.path == path;
    return n;
  }
  json Alert() const { return server_["status"]["alerts"][0]; }
  json Condition(const std::string& type) const {
    for (const auto& c : server_["status"].value("conditions", json::array())) {
      if (c["type"] == type) return c;
    }
    return nullptr;
  }
  // The reasons of the Events posted so far, in order.
  std::vector<std::string> EventReasons() {
    events_->Flush();
    std::vector<std::string> out;
    for (const auto& c : fake_.calls()) {
      if (c.method == "POST" && c.path.find("/events") != std::string::npos) {
        out.push_back(c.body.value("reason", ""));
      }
    }
    return out;
  }

  testing::FakeKubeClient fake_;
  FakeFetcher fetcher_;
  SnapshotCollector collector_{fetcher_, 2};
  Remediator remediator_{fake_};
  std::unique_ptr<kube::Informer> pods_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<MonitorEvaluator> evaluator_;
  SystemTime now_ = kT0;
  json server_;
};

TEST_F(MonitorEvaluatorTest, NoAlertsClearsWhatEarlierAlertsLeftOnce) {
  server_ = Monitor(json::array());
  server_["status"] = {
      {"firingAlerts", 1},
      {"alerts", {{{"name", "errors"}, {"state", "Firing"}, {"samples", 200}}}},
      {"metrics", {{"time", "2027-01-15T08:00:00Z"}, {"window", "1m"}, {"samples", 200}}},
      {"conditions",
       {{{"type", "Ready"},
         {"status", "True"},
         {"lastTransitionTime", "2027-01-15T07:00:00Z"},
         {"reason", "Observed"},
         {"message", ""}},
        {{"type", "Alerting"},
         {"status", "True"},
         {"lastTransitionTime", "2027-01-15T07:00:00Z"},
         {"reason", "AlertsFiring"},
         {"message", "firing: errors"}}}}};
  auto calls = Round();
  ASSERT_EQ(Count(calls, "PUT", kStatus), 1);
  EXPECT_EQ(Count(calls, "GET", kSecret), 0) << "no alerts: no sidecar is asked";
  EXPECT_TRUE(fetcher_.asked.empty());
  const json& status = server_["status"];
  EXPECT_FALSE(status.contains("alerts") && !status["alerts"].empty()) << status.dump();
  EXPECT_FALSE(status.contains("metrics")) << status.dump();
  EXPECT_EQ(status.value("firingAlerts", 0), 0);
  EXPECT_EQ(Condition("Alerting")["status"], "False");
  EXPECT_EQ(Condition("Alerting")["reason"], "NoAlerts");
  EXPECT_EQ(Condition("Ready")["reason"], "Observed") << "the reconciler's condition stays";

  now_ += 10s;
  calls = Round();
  EXPECT_EQ(Count(calls, "PUT", kStatus), 0) << "nothing left to clear";
}

TEST_F(MonitorEvaluatorTest, AlertGoesInactivePendingFiringOverTime) {
  server_ = Monitor({ErrorRateAlert("none", "30s")});
  fetcher_.snapshot = Snapshot(now_, 100, 0);
  Round();
  EXPECT_EQ(Alert()["state"], "Inactive") << Alert().dump();
  EXPECT_EQ(fetcher_.asked, (std::vector<std::string>{"a s3cret", "b s3cret"}))
      << "the pods the selector matches, with the admin token";
  EXPECT_EQ(server_["status"]["metrics"]["samples"], 200);

  now_ += 10s;  // half the requests fail
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  Round();
  EXPECT_EQ(Alert()["state"], "Pending") << Alert().dump();
  EXPECT_EQ(Alert()["since"], "2027-01-15T08:00:10Z");
  EXPECT_EQ(Condition("Alerting")["status"], "False");

  now_ += 20s;  // Pending 20 s of the 30 s `for`
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  Round();
  EXPECT_EQ(Alert()["state"], "Pending") << Alert().dump();

  now_ += 10s;  // 30 s
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  Round();
  EXPECT_EQ(Alert()["state"], "Firing") << Alert().dump();
  EXPECT_EQ(Alert()["since"], "2027-01-15T08:00:40Z");
  EXPECT_EQ(server_["status"]["firingAlerts"], 1);
  EXPECT_EQ(Condition("Alerting")["status"], "True");
  EXPECT_EQ(Condition("Alerting")["reason"], "AlertsFiring");
  // action none: recorded, nothing done.
  ASSERT_EQ(server_["status"]["remediations"].size(), 1u) << server_["status"].dump();
  EXPECT_EQ(server_["status"]["remediations"][0]["action"], "none");
  EXPECT_EQ(server_["status"]["lastAction"], "none Succeeded");
  EXPECT_EQ(EventReasons(), (std::vector<std::string>{"AlertPending", "AlertFiring"}));
}

TEST_F(MonitorEvaluatorTest, FiringRollbackIsRecordedThenCarriedOutOncePerEpisode) {
  server_ = Monitor({ErrorRateAlert("rollback", "0s")});
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  fake_.Queue("GET", kDeployment, 200, Deployment());
  fake_.Queue("GET", kReplicaSets, 200, ReplicaSets());
  fake_.Queue("PATCH", kDeployment, 200, Deployment());
  auto calls = Round();
  ASSERT_EQ(Count(calls, "PATCH", kDeployment), 1);
  ASSERT_EQ(Count(calls, "PUT", kStatus), 2) << "the intent, then the outcome";
  size_t intent = 0, patch = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].method == "PUT" && !intent) intent = i;
    if (calls[i].method == "PATCH") patch = i;
  }
  EXPECT_LT(intent, patch) << "the intent is in status before the Deployment changes";
  EXPECT_EQ(calls[intent].body["status"]["remediations"][0]["result"], "Started");
  EXPECT_NE(calls[patch].body.dump().find("\"image\":\"m:1\""), std::string::npos)
      << "the template of revision 1: " << calls[patch].body.dump();
  const json& record = server_["status"]["remediations"][0];
  EXPECT_EQ(server_["status"]["remediations"].size(), 1u);
  EXPECT_EQ(record["action"], "rollback");
  EXPECT_EQ(record["result"], "Succeeded");
  EXPECT_EQ(record["fromRevision"], 2);
  EXPECT_EQ(record["toRevision"], 1);
  EXPECT_EQ(server_["status"]["lastAction"], "rollback Succeeded");
  EXPECT_EQ(EventReasons(), (std::vector<std::string>{"AlertFiring", "RolledBack"}));

  now_ += 10s;  // still Firing: the same episode, handled
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  calls = Round();
  EXPECT_EQ(Count(calls, "PATCH", kDeployment), 0);
  EXPECT_EQ(Count(calls, "GET", kDeployment), 0);
  EXPECT_EQ(server_["status"]["remediations"].size(), 1u);
}

// Firing -> Inconclusive -> Firing is one episode (no second rollback); leaving
// it through Inconclusive to Inactive is AlertResolved, never AlertInactive.
TEST_F(MonitorEvaluatorTest, InconclusiveKeepsTheEpisodeAndItsEndIsResolved) {
  server_ = Monitor({ErrorRateAlert("rollback", "0s")});
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  fake_.Queue("GET", kDeployment, 200, Deployment());
  fake_.Queue("GET", kReplicaSets, 200, ReplicaSets());
  fake_.Queue("PATCH", kDeployment, 200, Deployment());
  Round();
  ASSERT_EQ(Alert()["state"], "Firing");
  const json episode = Alert()["since"];
  EXPECT_EQ(Alert()["episodeSince"], episode);

  now_ += 10s;  // 4 requests: fewer than minSamples
  fetcher_.snapshot = Snapshot(now_, 2, 1);
  Round();
  EXPECT_EQ(Alert()["state"], "Inconclusive");
  EXPECT_EQ(Alert()["episodeSince"], episode) << Alert().dump();

  now_ += 10s;  // failing again: the same episode, already handled
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  auto calls = Round();
  EXPECT_EQ(Alert()["state"], "Firing");
  EXPECT_EQ(Alert()["since"], episode);
  EXPECT_EQ(Count(calls, "GET", kDeployment), 0) << "no second rollback";
  EXPECT_EQ(server_["status"]["remediations"].size(), 1u);

  now_ += 10s;
  fetcher_.snapshot = Snapshot(now_, 3, 1);
  Round();
  now_ += 10s;  // healthy
  fetcher_.snapshot = Snapshot(now_, 100, 0);
  Round();
  EXPECT_EQ(Alert()["state"], "Inactive");
  EXPECT_FALSE(Alert().contains("episodeSince"));
  EXPECT_EQ(EventReasons(),
            (std::vector<std::string>{"AlertFiring", "RolledBack", "AlertInconclusive",
                                      "AlertFiring", "AlertInconclusive", "AlertResolved"}));
}

TEST_F(MonitorEvaluatorTest, DryRunRecordsTheRollbackWithoutActing) {
  server_ = Monitor({ErrorRateAlert("rollback", "0s")}, {{"dryRun", true}});
  fetcher_.snapshot = Snapshot(now_, 100, 50);
  fake_.Queue("GET", kDeployment, 200, Deployment());
  fake_.Queue("GET", kReplicaSets, 200, ReplicaSets());
  auto calls = Round();
  EXPECT_EQ(Count(calls, "PATCH", kDeployment), 0);
  EXPECT_EQ(Count(calls, "PUT", kStatus), 1) << "no intent to record";
  const json& record = server_["status"]["remediations"][0];
  EXPECT_EQ(record["action"], "rollback");
  EXPECT_EQ(record["result"], "DryRun");
  EXPECT_EQ(record["toRevision"], 1);
  EXPECT_EQ(server_["status"]["lastAction"], "rollback DryRun");
  EXPECT_EQ(EventReasons(), (std::vector<std::string>{"AlertFiring", "RollbackDryRun"}));
}

TEST_F(MonitorEvaluatorTest, StatusIsWrittenOnlyWhenItChanged) {
  server_ = Monitor({ErrorRateAlert("none", "30s")});
  fetcher_.snapshot = Snapshot(now_, 100, 0);
  EXPECT_EQ(Count(Round(), "PUT", kStatus), 1);

  now_ += 10s;  // the same data: only the evaluation time would change
  fetcher_.snapshot = Snapshot(now_, 100, 0);
  EXPECT_EQ(Count(Round(), "PUT", kStatus), 0);

  now_ += 10s;  // another error rate: a new value
  fetcher_.snapshot = Snapshot(now_, 100, 5);
  EXPECT_EQ(Count(Round(), "PUT", kStatus), 1);
  EXPECT_EQ(Alert()["value"], 0.05);
  EXPECT_EQ(Alert()["state"], "Inactive");
}

TEST_F(MonitorEvaluatorTest, MissingAdminTokenFailsEveryPodAndSaysWhy) {
  server_ = Monitor({ErrorRateAlert("none", "30s")});
  fake_.Queue("GET", kMonitor, 200, server_);
  fake_.Queue("PUT", kStatus, 200, server_);  // no Secret scripted: 404
  evaluator_->Evaluate("ns", "m");
  EXPECT_TRUE(fetcher_.asked.empty());
  json written;
  for (const auto& c : fake_.calls()) {
    if (c.method == "PUT") written = c.body;
  }
  ASSERT_TRUE(written.is_object());
  server_ = written;
  EXPECT_EQ(Alert()["state"], "Inconclusive");
  EXPECT_EQ(Condition("Alerting")["reason"], "SidecarsUnreachable");
  EXPECT_NE(Condition("Alerting")["message"].get<std::string>().find(
                "2 of 2 pods did not answer (a: cannot read Secret m-modelmonitor-tokens"),
            std::string::npos)
      << Condition("Alerting").dump();
}

TEST_F(MonitorEvaluatorTest, UnreadableStatusStartsTheAlertsOver) {
  server_ = Monitor({ErrorRateAlert("none", "30s")});
  server_["status"] = {{"alerts", {{{"name", "errors"}, {"state", "Burning"}}}}};
  fetcher_.snapshot = Snapshot(now_, 100, 0);
  EXPECT_EQ(Count(Round(), "PUT", kStatus), 1);
  EXPECT_EQ(Alert()["state"], "Inactive") << Alert().dump();
}

}  // namespace
}  // namespace mm::op
