#include <gtest/gtest.h>

#include "common/api/model_monitor.h"
#include "tests/support/crd_schema.h"
#include "tests/support/invalid_model_monitors.h"

namespace mm::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

ModelMonitor MustParse(const json& object) {
  auto parsed = ParseModelMonitor(object);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? parsed.value() : ModelMonitor{};
}

TEST(ParseModelMonitor, AcceptsEveryExample) {
  const auto examples = testing::LoadExamples();
  ASSERT_GE(examples.size(), 4u);
  for (const auto& [file, object] : examples) {
    auto parsed = ParseModelMonitor(object);
    EXPECT_TRUE(parsed.ok()) << file << ": " << parsed.error().message;
  }
}

TEST(ParseModelMonitor, ReadsTheFraudExampleIntoTypedFields) {
  auto object =
      ParseYamlDocuments(testing::ReadFile(testing::SourcePath("examples/fraud-classifier.yaml")));
  ASSERT_TRUE(object.ok());
  const ModelMonitor mm = MustParse((*object)[0]);
  EXPECT_EQ(mm.metadata.name, "fraud-model");
  EXPECT_EQ(mm.spec.selector.match_labels.at("app"), "fraud-model");
  EXPECT_EQ(mm.spec.target.name, "fraud-model");
  EXPECT_EQ(mm.spec.serving.protocol, Protocol::kOpenInferenceV2);
  EXPECT_EQ(mm.spec.serving.port.name, "http");
  EXPECT_EQ(mm.spec.serving.output_path, "");  // only json has one
  EXPECT_DOUBLE_EQ(mm.spec.sidecar.resources.requests.at("memory").value, 64.0 * (1 << 20));
  EXPECT_DOUBLE_EQ(mm.spec.sidecar.resources.requests.at("cpu").value, 0.1);
  ASSERT_TRUE(mm.spec.ground_truth.has_value());
  EXPECT_EQ(mm.spec.ground_truth->task, Task::kBinaryClassification);
  EXPECT_EQ(mm.spec.ground_truth->positive_class, "1");
  EXPECT_EQ(mm.spec.ground_truth->max_label_delay, 48h);
  ASSERT_EQ(mm.spec.alerts.size(), 4u);
  const AlertRule& recall = mm.spec.alerts[0];
  EXPECT_EQ(recall.metric, Metric::kRecall);
  EXPECT_EQ(recall.op, ComparisonOp::kLess);
  EXPECT_EQ(recall.window, 24h);
  EXPECT_EQ(recall.for_duration, 1h);
  EXPECT_EQ(recall.min_samples, 50);
  EXPECT_EQ(recall.confidence, 0.95);
  EXPECT_FALSE(mm.spec.alerts[1].confidence.has_value());
  EXPECT_EQ(recall.severity, Severity::kCritical);
  EXPECT_EQ(recall.action, Action::kRollback);
  EXPECT_TRUE(recall.ConditionHolds(0.7));
  EXPECT_FALSE(recall.ConditionHolds(0.8));
  ASSERT_TRUE(mm.spec.alerts[1].smoothing.has_value());
  EXPECT_DOUBLE_EQ(mm.spec.alerts[1].smoothing->ema_alpha, 0.5);
  EXPECT_EQ(mm.spec.remediation.cooldown, 1h);
  EXPECT_EQ(mm.spec.remediation.max_actions_per_day, 2);
  EXPECT_EQ(mm.spec.FindAlert("slow"), &mm.spec.alerts[2]);
  EXPECT_EQ(mm.spec.FindAlert("nope"), nullptr);
}

TEST(ParseModelMonitor, FillsTheDefaultsOfTheMinimalSpec) {
  const ModelMonitor mm = MustParse(json::parse(R"({
    "metadata": {"name": "m", "namespace": "ns", "generation": 3, "uid": "u-1"},
    "spec": {"selector": {"matchLabels": {"app": "a"}}, "target": {"name": "a"},
             "alerts": [{"name": "slow", "metric": "latency_p99_seconds", "op": ">",
                         "threshold": 1}]}})"));
  EXPECT_EQ(mm.metadata.namespace_name, "ns");
  EXPECT_EQ(mm.metadata.generation, 3);
  EXPECT_EQ(mm.spec.target.kind, "Deployment");
  EXPECT_EQ(mm.spec.serving.port, (PortRef{"http", 0}));
  EXPECT_EQ(mm.spec.serving.protocol, Protocol::kJson);
  EXPECT_EQ(mm.spec.serving.output_path, "$.predictions");
  EXPECT_EQ(mm.spec.serving.request_id_header, "x-request-id");
  EXPECT_EQ(mm.spec.sidecar.sample_rate, 1.0);
  EXPECT_EQ(mm.spec.sidecar.max_body_bytes, 1 << 20);
  EXPECT_FALSE(mm.spec.ground_truth.has_value());
  const AlertRule& a = mm.spec.alerts[0];
  EXPECT_EQ(a.window, 5min);
  EXPECT_EQ(a.for_duration, 0s);
  EXPECT_EQ(a.min_samples, 20);
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_EQ(a.action, Action::kNone);
  EXPECT_EQ(mm.spec.remediation.cooldown, 30min);
  EXPECT_EQ(mm.spec.remediation.max_actions_per_day, 3);
  EXPECT_FALSE(mm.spec.remediation.dry_run);
  EXPECT_EQ(mm.spec.remediation.rollback_to_revision, 0);
  EXPECT_FALSE(mm.spec.remediation.retrain_job_template.has_value());
}

// The promise of the header: the parser's defaults are the CRD's. Each example, defaulted by
// the CRD's schema the way the apiserver does, parses to the same spec as the example itself.
TEST(ParseModelMonitor, DefaultsAreTheCrdsDefaults) {
  const json schema = testing::CrdSchema(testing::LoadCrd());
  ASSERT_TRUE(schema.is_object());
  auto examples = testing::LoadExamples();
  examples.emplace_back("valid", testing::ValidModelMonitor());
  for (const auto& [file, object] : examples) {
    json defaulted = object;
    testing::ApplySchemaDefaults(defaulted, schema);
    ASSERT_NE(defaulted, object) << file << ": the CRD fills in nothing?";
    EXPECT_EQ(MustParse(defaulted).spec, MustParse(object).spec) << file;
  }
}

TEST(ParseModelMonitor, RejectsEveryInvalidCaseNamingTheField) {
  const auto cases = testing::InvalidModelMonitors();
  ASSERT_GE(cases.size(), 20u);
  ASSERT_TRUE(ParseModelMonitor(testing::ValidModelMonitor()).ok());
  for (const auto& c : cases) {
    const json object = testing::ValidModelMonitor().patch(json::parse(c.patch));
    auto parsed = ParseModelMonitor(object);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_NE(parsed.error().message.find(c.parser_message), std::string::npos)
        << c.name << "\n  expected: " << c.parser_message << "\n  got: " << parsed.error().message;
  }
}

TEST(ParseModelMonitor, ReportsEveryErrorAtOnce) {
  json object = testing::ValidModelMonitor();
  object["spec"]["alerts"][0]["window"] = "5x";
  object["spec"]["alerts"][1]["op"] = "=";
  object["spec"]["serving"]["port"] = 0;
  auto parsed = ParseModelMonitor(object);
  ASSERT_FALSE(parsed.ok());
  const std::string& m = parsed.error().message;
  EXPECT_NE(m.find("spec.alerts[0].window: \"5x\" is not a duration (use 30s, 5m, 1h)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("spec.alerts[1].op"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.serving.port"), std::string::npos) << m;
}

TEST(ParseModelMonitor, RejectsWrongTypesAndOtherKinds) {
  EXPECT_FALSE(ParseModelMonitor(json::array()).ok());
  json object = testing::ValidModelMonitor();
  object["kind"] = "Deployment";
  EXPECT_EQ(ParseModelMonitor(object).error().message,
            "kind: \"Deployment\" is not \"ModelMonitor\"");
  object = testing::ValidModelMonitor();
  object["spec"]["alerts"] = json::object();
  EXPECT_EQ(ParseModelMonitor(object).error().message,
            "spec.alerts: must be a list, not an object");
  object = testing::ValidModelMonitor();
  object["spec"]["sidecar"]["maxBodyBytes"] = 1.5;
  EXPECT_EQ(ParseModelMonitor(object).error().message,
            "spec.sidecar.maxBodyBytes: must be an integer, not 1.5");
  object["spec"]["sidecar"]["maxBodyBytes"] = 2048.0;  // the apiserver takes whole floats too
  EXPECT_EQ(ParseModelMonitor(object)->spec.sidecar.max_body_bytes, 2048);
  object = testing::ValidModelMonitor();
  object["spec"]["alerts"] = json::array();
  for (int i = 0; i < 33; ++i) {
    object["spec"]["alerts"].push_back({{"name", "a" + std::to_string(i)},
                                        {"metric", "error_rate"},
                                        {"op", ">"},
                                        {"threshold", 0.1}});
  }
  EXPECT_EQ(ParseModelMonitor(object).error().message, "spec.alerts: has 33 alerts (at most 32)");
}

TEST(ParseModelMonitorSpec, BoundsTheDepthOfTheJobTemplate) {
  json spec = testing::ValidModelMonitor()["spec"];
  json deep = "leaf";
  for (int i = 0; i < 100; ++i) deep = json::array({deep});
  spec["remediation"]["retrain"]["jobTemplate"]["spec"]["template"]["spec"]["x"] = deep;
  auto parsed = ParseModelMonitorSpec(spec);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            "spec.remediation.retrain.jobTemplate: is nested more than 64 levels deep (a Job "
            "template needs far fewer)");
}

TEST(ParseModelMonitorSpec, AcceptsPortNumbersIntegerQuantitiesAndR2BelowZero) {
  json spec = testing::ValidModelMonitor()["spec"];
  spec["serving"]["port"] = 8080;
  spec["sidecar"]["resources"]["limits"] = {{"cpu", 2}};
  spec["groundTruth"] = {{"task", "regression"}};
  spec["alerts"] = json::array(
      {{{"name", "r2-low"}, {"metric", "r2"}, {"op", "<"}, {"threshold", -0.5}, {"window", "1h"}}});
  auto parsed = ParseModelMonitorSpec(spec);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->serving.port, (PortRef{"", 8080}));
  EXPECT_DOUBLE_EQ(parsed->sidecar.resources.limits.at("cpu").value, 2);
  EXPECT_EQ(parsed->sidecar.resources.limits.at("cpu").text, "2");
  EXPECT_DOUBLE_EQ(parsed->alerts[0].threshold, -0.5);
}

TEST(ModelMonitorSpecToJson, WritesEveryDefaultAndReadsBackTheSame) {
  auto examples = testing::LoadExamples();
  examples.emplace_back("valid", testing::ValidModelMonitor());
  for (const auto& [file, object] : examples) {
    const ModelMonitorSpec spec = MustParse(object).spec;
    const json written = ToJson(spec);
    auto back = ParseModelMonitorSpec(written);
    ASSERT_TRUE(back.ok()) << file << ": " << back.error().message << "\n" << written.dump();
    EXPECT_EQ(*back, spec) << file;
  }
  auto docs = ParseYamlDocuments(testing::ReadFile(testing::SourcePath("examples/minimal.yaml")));
  ASSERT_TRUE(docs.ok() && docs->size() == 1);
  const ModelMonitorSpec minimal = MustParse((*docs)[0]).spec;
  const json j = ToJson(minimal);
  EXPECT_EQ(j["serving"]["outputPath"], "$.predictions");
  EXPECT_EQ(j["serving"]["port"], "http");
  EXPECT_EQ(j["alerts"][0]["window"], "5m");
  EXPECT_EQ(j["alerts"][0]["for"], "0s");
  EXPECT_EQ(j["remediation"]["cooldown"], "30m");
  EXPECT_FALSE(j.contains("groundTruth"));
}

TEST(LabelSelector, CompilesToTheOneMatcher) {
  LabelSelector s;
  s.match_labels = {{"app", "fraud"}};
  s.match_expressions = {{"track", SelectorOperator::kIn, {"stable", "canary"}},
                         {"shadow", SelectorOperator::kDoesNotExist, {}}};
  auto compiled = s.Compile();
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  using Labels = std::map<std::string, std::string>;
  EXPECT_TRUE(compiled->Matches(Labels{{"app", "fraud"}, {"track", "stable"}}));
  EXPECT_FALSE(compiled->Matches(Labels{{"app", "fraud"}, {"track", "dev"}}));
  EXPECT_FALSE(compiled->Matches(Labels{{"app", "fraud"}, {"track", "stable"}, {"shadow", "1"}}));
  EXPECT_FALSE(compiled->Matches(Labels{{"app", "other"}, {"track", "stable"}}));
  s.match_expressions = {{"tier", SelectorOperator::kNotIn, {"batch"}},
                         {"app", SelectorOperator::kExists, {}}};
  compiled = s.Compile();
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_TRUE(compiled->Matches(Labels{{"app", "fraud"}}));
  EXPECT_FALSE(compiled->Matches(Labels{{"app", "fraud"}, {"tier", "batch"}}));
  // Built by hand without values, In cannot compile: an error, not a selector.
  s.match_expressions = {{"tier", SelectorOperator::kIn, {}}};
  EXPECT_FALSE(s.Compile().ok());
}

}  // namespace
}  // namespace mm::api
