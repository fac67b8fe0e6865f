// The ModelMonitor CRD against a real kube-apiserver: it installs and becomes Established,
// every example is accepted and reads back with its defaults (the same the C++ parser applies),
// invalid objects are refused with messages that name the field and the rule, kubectl explain
// teaches the API, and the status the operator writes (common/api ToJson) fits the schema.
#include <gtest/gtest.h>

#include "common/api/model_monitor.h"
#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"
#include "tests/support/crd_schema.h"
#include "tests/support/invalid_model_monitors.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

const char* kCrdName = "modelmonitors.modelmonitor.io";

class CrdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& cp = ControlPlaneEnvironment::Get();
    auto applied =
        cp.Kubectl("apply -f " + SourcePath("crds/modelmonitor.io_modelmonitors.yaml").string());
    ASSERT_EQ(applied.exit_code, 0) << applied.output;
    auto established = cp.Kubectl(std::string("wait --for condition=Established crd/") + kCrdName +
                                  " --timeout=60s");
    ASSERT_EQ(established.exit_code, 0) << established.output;
  }

  void SetUp() override {
    client_ = ControlPlaneEnvironment::Get().AdminClient();
    ns_ = UniqueNamespace("crd");
    auto created = client_->Create(
        "/api/v1/namespaces",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.Message();
  }

  ControlPlane::CommandOutput Kubectl(const std::string& args, const std::string& stdin_text = "") {
    return ControlPlaneEnvironment::Get().Kubectl(args, stdin_text);
  }

  std::string MonitorPath(const std::string& name = "") const {
    return ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, name}.Url();
  }

  std::unique_ptr<kube::RestKubeClient> client_;
  std::string ns_;
};

TEST_F(CrdTest, IsEstablishedWithItsNamesAndColumns) {
  auto crd = client_->Get(std::string("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/") +
                          kCrdName);
  ASSERT_TRUE(crd.ok()) << crd.Message();
  bool established = false;
  for (const auto& c : crd.body["status"]["conditions"]) {
    if (c["type"] == "Established" && c["status"] == "True") established = true;
  }
  EXPECT_TRUE(established) << crd.body["status"].dump();
  EXPECT_EQ(crd.body["status"]["acceptedNames"]["shortNames"], json::array({"mm"}));
  EXPECT_EQ(crd.body["status"]["acceptedNames"]["categories"], json::array({"ml"}));
  // Applying it again (a patch, decoded strictly) passes too: no stray schema keys.
  auto again = Kubectl("apply --dry-run=server -f " +
                       SourcePath("crds/modelmonitor.io_modelmonitors.yaml").string());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  // The category finds the kind (with fresh discovery: the cached one predates the CRD).
  auto listed =
      Kubectl("get ml -n " + ns_ + " --cache-dir=" + ControlPlaneEnvironment::Get().dir() +
              "/kubectl-cache-" + ns_);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
}

TEST_F(CrdTest, EveryExamplePassesServerSideDryRun) {
  const auto examples = LoadExamples();
  ASSERT_GE(examples.size(), 4u);
  for (const auto& [file, object] : examples) {
    auto out = Kubectl("apply --dry-run=server -n " + ns_ + " -f " +
                       SourcePath("examples/" + file).string());
    EXPECT_EQ(out.exit_code, 0) << file << ": " << out.output;
    EXPECT_NE(out.output.find("created (server dry run)"), std::string::npos) << out.output;
  }
}

TEST_F(CrdTest, EveryExampleReadsBackWithItsDefaultsFilledIn) {
  const json schema = CrdSchema(LoadCrd());
  for (const auto& [file, object] : LoadExamples()) {
    SCOPED_TRACE(file);
    auto out = Kubectl("apply -n " + ns_ + " -f " + SourcePath("examples/" + file).string());
    ASSERT_EQ(out.exit_code, 0) << out.output;
    auto got = client_->Get(MonitorPath(object["metadata"]["name"]));
    ASSERT_TRUE(got.ok()) << got.Message();
    const json& spec = got.body["spec"];

    // Defaults the user left out are there.
    EXPECT_TRUE(spec["serving"].contains("protocol")) << spec.dump();
    EXPECT_TRUE(spec["serving"].contains("requestIdHeader"));
    EXPECT_TRUE(spec["sidecar"].contains("sampleRate"));
    EXPECT_TRUE(spec["remediation"].contains("cooldown"));
    EXPECT_TRUE(spec["remediation"].contains("maxActionsPerDay"));
    for (const auto& alert : spec["alerts"]) {
      for (const char* key : {"window", "for", "minSamples", "severity", "action"}) {
        EXPECT_TRUE(alert.contains(key)) << key << " in " << alert.dump();
      }
    }
    // Exactly the defaults the CRD's schema declares: the unit tests' defaulter is faithful.
    json expected = object;
    ApplySchemaDefaults(expected, schema);
    EXPECT_EQ(spec, expected["spec"]);

    // The C++ parser gives the same spec for what the user wrote and what the server stored.
    auto stored = api::ParseModelMonitor(got.body);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    auto written = api::ParseModelMonitor(object);
    ASSERT_TRUE(written.ok()) << written.error().message;
    EXPECT_EQ(stored->spec, written->spec);
    EXPECT_EQ(stored->metadata.namespace_name, ns_);
    EXPECT_EQ(stored->metadata.generation, 1);
    EXPECT_FALSE(stored->metadata.uid.empty());
  }
}

TEST_F(CrdTest, InvalidModelMonitorsAreRefusedNamingTheFieldAndTheRule) {
  auto valid = Kubectl("create --dry-run=server -n " + ns_ + " -f -", ValidModelMonitor().dump());
  ASSERT_EQ(valid.exit_code, 0) << "the base of the invalid cases must be valid: " << valid.output;
  const auto cases = InvalidModelMonitors();
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    const json object = ValidModelMonitor("invalid").patch(json::parse(c.patch));
    auto out = Kubectl("create --dry-run=server -n " + ns_ + " -f -", object.dump());
    EXPECT_NE(out.exit_code, 0) << c.name << " was accepted";
    for (const auto& message : c.server_messages) {
      EXPECT_NE(out.output.find(message), std::string::npos)
          << c.name << "\n  expected: " << message << "\n  got: " << out.output;
    }
    // The C++ parser refuses it too, naming the field (the unit tests check the wording).
    auto parsed = api::ParseModelMonitor(object);
    EXPECT_FALSE(parsed.ok()) << c.name;
  }
}

// Edge values on both sides of each limit: the apiserver and the C++ parser must agree on
// every one, accepted or refused (the invalid table above only checks refusals).
TEST_F(CrdTest, ParserAndApiserverAgreeAtTheEdges) {
  struct Edge {
    std::string pointer;  // a JSON pointer into ValidModelMonitor()
    json value;
  };
  const std::vector<Edge> edges = {
      {"/spec/alerts/0/window", "10s"},
      {"/spec/alerts/0/window", "9.999999999s"},
      {"/spec/alerts/0/window", "720h"},
      {"/spec/alerts/0/window", "720h0.000000001s"},
      {"/spec/alerts/0/window", "1h30m"},
      {"/spec/alerts/0/window", "10000ms"},
      {"/spec/alerts/0/window", "10000000us"},
      {"/spec/alerts/0/window", "1.5h"},
      {"/spec/alerts/0/window", "1.h"},
      {"/spec/alerts/0/for", "0"},
      {"/spec/alerts/0/for", "720h1s"},
      {"/spec/groundTruth/maxLabelDelay", "1s"},
      {"/spec/groundTruth/maxLabelDelay", "999ms"},
      {"/spec/remediation/cooldown", "0s"},
      {"/spec/serving/port", 1},
      {"/spec/serving/port", 65535},
      {"/spec/serving/port", 0},
      {"/spec/serving/port", "a"},
      {"/spec/serving/port", "-a"},
      {"/spec/serving/port", "abcdefghijklmno"},
      {"/spec/serving/port", "abcdefghijklmnop"},
      {"/spec/serving/requestIdHeader", "X-Request-ID"},
      {"/spec/serving/requestIdHeader", "x request"},
      {"/spec/serving/outputPath", "predictions"},
      {"/spec/sidecar/sampleRate", 0},
      {"/spec/sidecar/sampleRate", 1},
      {"/spec/sidecar/resources/requests/cpu", "0.5"},
      {"/spec/sidecar/resources/requests/cpu", 2},
      {"/spec/sidecar/resources/requests/cpu", 0.5},
      {"/spec/alerts/0/threshold", 1e300},
      {"/spec/alerts/0/minSamples", 1.0},
      {"/spec/alerts/0/minSamples", 1.5},
      {"/spec/serving/port", 8080.0},
      {"/spec/sidecar/resources/requests/cpu", 2.0},
      {"/spec/sidecar/resources/requests/cpu", -2},
      {"/spec/sidecar/resources/requests/memory", "1Ei"},
      {"/spec/sidecar/resources/requests/memory", "-1Mi"},
      {"/spec/sidecar/maxBodyBytes", 1024},
      {"/spec/sidecar/maxBodyBytes", 1023},
      {"/spec/alerts/2/threshold", 1},
      {"/spec/alerts/2/threshold", 0},
      {"/spec/alerts/2/threshold", 1.0001},
      {"/spec/alerts/0/threshold", 0},
      {"/spec/alerts/0/minSamples", 1},
      {"/spec/alerts/0/minSamples", 0},
      {"/spec/alerts/0/confidence", 0.5},
      {"/spec/alerts/0/confidence", 0.4999999},
      {"/spec/alerts/0/confidence", 0.999999},
      {"/spec/alerts/0/confidence", 1},
      {"/spec/alerts/0/name", std::string(40, 'a')},
      {"/spec/alerts/0/name", std::string(41, 'a')},
      {"/spec/alerts/0/name", "a-"},
      {"/spec/alerts/0/severity", "critical"},
      {"/spec/alerts/0/severity", "page"},
      {"/spec/target/name", "a.b"},
      {"/spec/target/name", "A"},
      {"/spec/groundTruth/threshold", 0.7},
      {"/spec/groundTruth/maxPending", 0},
      {"/spec/remediation/maxActionsPerDay", 0},
      {"/spec/remediation/maxActionsPerDay", 101},
      {"/spec/remediation/rollback/toRevision", 3},
      {"/spec/remediation/dryRun", "yes"},
      {"/spec/selector", {{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}}}}}},
      {"/spec/selector",
       {{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}, {"values", {"x"}}}}}}},
      {"/spec/sidecar/image", std::string(513, 'i')},
  };
  const std::string url = ResourcePath{"modelmonitor.io/v1alpha1",
                                       "modelmonitors",
                                       ns_,
                                       "",
                                       "",
                                       {{"dryRun", "All"}, {"fieldValidation", "Strict"}}}
                              .Url();
  int accepted = 0;
  for (const auto& edge : edges) {
    json object = ValidModelMonitor("edge");
    object[json::json_pointer(edge.pointer)] = edge.value;
    auto server = client_->Create(url, object);
    auto parsed = api::ParseModelMonitor(object);
    accepted += server.ok();
    EXPECT_EQ(server.ok(), parsed.ok())
        << edge.pointer << " = " << edge.value.dump()
        << "\n  apiserver: " << (server.ok() ? "accepted" : server.Message())
        << "\n  parser: " << (parsed.ok() ? "accepted" : parsed.error().message);
  }
  // Both outcomes are exercised.
  EXPECT_GT(accepted, 15);
  EXPECT_LT(accepted, static_cast<int>(edges.size()) - 15);
}

TEST_F(CrdTest, KubectlExplainTeachesTheApi) {
  auto alerts = Kubectl("explain modelmonitor.spec.alerts");
  ASSERT_EQ(alerts.exit_code, 0) << alerts.output;
  for (const char* text :
       {"Rules the operator evaluates on the merged measurements", "metric", "threshold", "window",
        "minSamples", "What is measured", "The comparison that means trouble"}) {
    EXPECT_NE(alerts.output.find(text), std::string::npos) << text << " in\n" << alerts.output;
  }
  auto window = Kubectl("explain mm.spec.alerts.window");
  ASSERT_EQ(window.exit_code, 0) << window.output;
  EXPECT_NE(window.output.find("The span of recent measurements"), std::string::npos)
      << window.output;
}

TEST_F(CrdTest, StatusSubresourceTakesWhatTheOperatorWrites) {
  auto out = Kubectl("apply -n " + ns_ + " -f " + SourcePath("examples/minimal.yaml").string());
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto got = client_->Get(MonitorPath("minimal"));
  ASSERT_TRUE(got.ok()) << got.Message();

  api::ModelMonitorStatus status;
  status.observed_generation = 1;
  status.conditions = {{"Ready", "True", 1, "2026-11-22T04:00:00Z", "Monitoring", "ok"}};
  status.pods = {3, 2};
  status.firing_alerts = 1;
  status.last_action = "rollback Succeeded";
  status.metrics = api::MetricsSnapshot{
      "2026-11-22T04:10:00Z", 5min, 1200, 0, {{api::Metric::kLatencyP99Seconds, 0.61}}};
  status.alerts = {{"slow", api::AlertState::kFiring, 0.61, 0.5, 1200, "2026-11-22T04:09:00Z",
                    "latency_p99_seconds 0.61 > 0.5"}};
  status.remediations = {{"2026-11-22T04:10:00Z", "slow", api::Action::kRollback,
                          api::RemediationResult::kSucceeded, 2, 1, "", 0.61, ""}};
  json object = got.body;
  object["status"] = api::ToJson(status);
  auto replaced = client_->Replace(MonitorPath("minimal") + "/status", object);
  ASSERT_TRUE(replaced.ok()) << replaced.Message();

  auto back = client_->Get(MonitorPath("minimal"));
  ASSERT_TRUE(back.ok()) << back.Message();
  auto parsed = api::ParseModelMonitor(back.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->status, status);
  EXPECT_EQ(parsed->metadata.generation, 1);  // a status write is not a spec change

  // The printer columns show it.
  auto table = Kubectl("get mm minimal -n " + ns_);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("TARGET"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("LAST ACTION"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("my-model"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("rollback Succeeded"), std::string::npos) << table.output;

  // And the schema guards it: a state outside the enum is refused.
  object = back.body;
  object["status"]["alerts"][0]["state"] = "Burning";
  auto refused = client_->Replace(MonitorPath("minimal") + "/status", object);
  EXPECT_EQ(refused.status, 422) << refused.Message();
  EXPECT_NE(refused.Message().find("status.alerts[0].state"), std::string::npos)
      << refused.Message();
}

}  // namespace
}  // namespace mm::testing
