// The CRD (crds/modelmonitor.io_modelmonitors.yaml) and common/api describe one API. These
// tests fail when they drift apart: enums, defaults, and the metric lists in the CEL rules.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "common/api/model_monitor.h"
#include "tests/support/crd_schema.h"

namespace mm::api {
namespace {

using nlohmann::json;

class CrdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crd_ = testing::LoadCrd();
    ASSERT_TRUE(crd_.is_object()) << "crds/modelmonitor.io_modelmonitors.yaml does not parse";
    schema_ = testing::CrdSchema(crd_);
    spec_ = schema_["properties"]["spec"];
    alert_ = spec_["properties"]["alerts"]["items"];
  }

  // All CEL rules of the spec, with their messages, as one text per rule.
  std::vector<std::string> SpecRules() const {
    std::vector<std::string> out;
    std::function<void(const json&)> walk = [&](const json& s) {
      if (s.contains("x-kubernetes-validations")) {
        for (const auto& rule : s["x-kubernetes-validations"]) out.push_back(rule["rule"]);
      }
      if (s.contains("properties")) {
        for (const auto& [unused, sub] : s["properties"].items()) walk(sub);
      }
      if (s.contains("items")) walk(s["items"]);
    };
    walk(spec_);
    return out;
  }

  bool SomeRuleHas(const std::string& text) const {
    for (const auto& r : SpecRules()) {
      if (r.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // ['a', 'b'] in CEL for the catalogue's metrics that satisfy `pick`, in catalogue order.
  static std::string CelList(const std::function<bool(const MetricInfo&)>& pick) {
    std::string out;
    for (const MetricInfo& m : MetricCatalogue()) {
      if (pick(m)) out += (out.empty() ? "['" : ", '") + std::string(m.name) + "'";
    }
    return out + "]";
  }

  json crd_, schema_, spec_, alert_;
};

TEST_F(CrdTest, NamesAndVersionAreTheApis) {
  EXPECT_EQ(crd_["spec"]["group"], kGroup);
  EXPECT_EQ(crd_["spec"]["names"]["kind"], kKind);
  EXPECT_EQ(crd_["spec"]["names"]["plural"], kPlural);
  EXPECT_EQ(crd_["spec"]["names"]["shortNames"], json::array({"mm"}));
  EXPECT_EQ(crd_["spec"]["names"]["categories"], json::array({"ml"}));
  EXPECT_EQ(crd_["spec"]["versions"][0]["name"], kVersion);
  EXPECT_TRUE(crd_["spec"]["versions"][0]["subresources"].contains("status"));
}

TEST_F(CrdTest, MetricEnumIsTheCatalogue) {
  std::vector<std::string> names;
  for (const MetricInfo& m : MetricCatalogue()) names.emplace_back(m.name);
  EXPECT_EQ(alert_["properties"]["metric"]["enum"], json(names));
  // status.metrics has one field per metric.
  const json& metrics = schema_["properties"]["status"]["properties"]["metrics"]["properties"];
  for (const auto& name : names) EXPECT_TRUE(metrics.contains(name)) << name;
}

template <typename E>
json EnumJson() {
  json out = json::array();
  for (const auto& [unused, name] : EnumNames<E>::kNames) out.push_back(std::string(name));
  return out;
}

TEST_F(CrdTest, EnumsAreTheParsers) {
  const json& p = spec_["properties"];
  EXPECT_EQ(p["serving"]["properties"]["protocol"]["enum"], EnumJson<Protocol>());
  EXPECT_EQ(p["groundTruth"]["properties"]["task"]["enum"], EnumJson<Task>());
  EXPECT_EQ(
      p["selector"]["properties"]["matchExpressions"]["items"]["properties"]["operator"]["enum"],
      EnumJson<SelectorOperator>());
  EXPECT_EQ(alert_["properties"]["op"]["enum"], EnumJson<ComparisonOp>());
  EXPECT_EQ(alert_["properties"]["severity"]["enum"], EnumJson<Severity>());
  EXPECT_EQ(alert_["properties"]["action"]["enum"], EnumJson<Action>());
  const json& status = schema_["properties"]["status"]["properties"];
  EXPECT_EQ(status["alerts"]["items"]["properties"]["state"]["enum"], EnumJson<AlertState>());
  EXPECT_EQ(status["remediations"]["items"]["properties"]["result"]["enum"],
            EnumJson<RemediationResult>());
  // A Firing alert with action none is recorded too: the record's enum is the spec's.
  EXPECT_EQ(status["remediations"]["items"]["properties"]["action"]["enum"], EnumJson<Action>());
}

TEST_F(CrdTest, CelRulesListTheCataloguesMetrics) {
  EXPECT_TRUE(SomeRuleHas(CelList([](const MetricInfo& m) { return m.needs_labels(); })))
      << "label metrics: " << CelList([](const MetricInfo& m) { return m.needs_labels(); });
  const auto classification_only = [](const MetricInfo& m) {
    return m.needs_labels() && !m.AppliesTo(Task::kRegression);
  };
  EXPECT_TRUE(SomeRuleHas(CelList(classification_only))) << CelList(classification_only);
  const auto regression_only = [](const MetricInfo& m) {
    return m.needs_labels() && !m.AppliesTo(Task::kBinaryClassification);
  };
  EXPECT_TRUE(SomeRuleHas(CelList(regression_only))) << CelList(regression_only);
  const auto binary_only = [](const MetricInfo& m) {
    return m.needs_labels() && !m.AppliesTo(Task::kMulticlassClassification) &&
           !m.AppliesTo(Task::kRegression);
  };
  EXPECT_TRUE(SomeRuleHas(CelList(binary_only))) << CelList(binary_only);
  const auto ratios = [](const MetricInfo& m) { return m.unit == MetricUnit::kRatio; };
  EXPECT_TRUE(SomeRuleHas(CelList(ratios))) << CelList(ratios);
  // The only metric that may go below zero is named in the non-negative rule.
  for (const MetricInfo& m : MetricCatalogue()) {
    if (m.min_threshold < 0) {
      EXPECT_TRUE(SomeRuleHas("self.metric == '" + std::string(m.name) + "'")) << m.name;
    }
  }
}

// `confidence` is allowed on the metrics with an interval, in the CRD's CEL as in the parser.
TEST_F(CrdTest, ConfidenceRulesAreTheParsers) {
  const auto with_interval = [](const MetricInfo& m) { return HasConfidenceInterval(m.metric); };
  EXPECT_TRUE(SomeRuleHas("!has(self.confidence) || self.metric in " + CelList(with_interval)))
      << CelList(with_interval);
  const json& confidence = alert_["properties"]["confidence"];
  EXPECT_EQ(confidence["type"], "number");
  ASSERT_TRUE(confidence.contains("x-kubernetes-validations"));
  EXPECT_EQ(confidence["x-kubernetes-validations"][0]["rule"], "self >= 0.5 && self < 1.0");
  const json& status = schema_["properties"]["status"]["properties"]["alerts"]["items"];
  for (const char* field : {"lowerBound", "upperBound", "smoothedValue"}) {
    EXPECT_TRUE(status["properties"].contains(field)) << field;
  }
}

TEST_F(CrdTest, SchemaDefaultsAreTheParsersConstants) {
  const json& p = spec_["properties"];
  EXPECT_EQ(p["target"]["properties"]["kind"]["default"], defaults::kTargetKind);
  EXPECT_EQ(p["serving"]["properties"]["port"]["default"], defaults::kServingPort);
  EXPECT_EQ(p["serving"]["properties"]["protocol"]["default"], ToString(defaults::kProtocol));
  EXPECT_EQ(p["serving"]["properties"]["requestIdHeader"]["default"], defaults::kRequestIdHeader);
  EXPECT_EQ(p["sidecar"]["properties"]["sampleRate"]["default"], defaults::kSampleRate);
  EXPECT_EQ(p["sidecar"]["properties"]["maxBodyBytes"]["default"], defaults::kMaxBodyBytes);
  EXPECT_EQ(
      *ParseDuration(p["groundTruth"]["properties"]["maxLabelDelay"]["default"].get<std::string>()),
      defaults::kMaxLabelDelay);
  EXPECT_EQ(p["groundTruth"]["properties"]["maxPending"]["default"], defaults::kMaxPending);
  const json& a = alert_["properties"];
  EXPECT_EQ(*ParseDuration(a["window"]["default"].get<std::string>()), defaults::kWindow);
  EXPECT_EQ(*ParseDuration(a["for"]["default"].get<std::string>()), defaults::kFor);
  EXPECT_EQ(a["minSamples"]["default"], defaults::kMinSamples);
  EXPECT_EQ(a["severity"]["default"], ToString(defaults::kSeverity));
  EXPECT_EQ(a["action"]["default"], ToString(defaults::kAction));
  const json& r = p["remediation"]["properties"];
  EXPECT_EQ(*ParseDuration(r["cooldown"]["default"].get<std::string>()), defaults::kCooldown);
  EXPECT_EQ(r["maxActionsPerDay"]["default"], defaults::kMaxActionsPerDay);
  EXPECT_EQ(r["rollback"]["properties"]["toRevision"]["default"], defaults::kRollbackToRevision);
  // Not schema defaults: they depend on another field (protocol, task).
  EXPECT_FALSE(p["serving"]["properties"]["outputPath"].contains("default"));
  EXPECT_FALSE(p["groundTruth"]["properties"]["threshold"].contains("default"));
}

// `kubectl explain` teaches the API only if every field has a description.
TEST_F(CrdTest, EveryFieldHasADescription) {
  std::vector<std::string> missing;
  std::function<void(const json&, const std::string&)> walk = [&](const json& s,
                                                                  const std::string& path) {
    if (path != "metadata" && path.find(".metadata") == std::string::npos &&
        !s.contains("description")) {
      missing.push_back(path);
    }
    if (s.contains("properties")) {
      for (const auto& [key, sub] : s["properties"].items()) {
        walk(sub, path.empty() ? key : path + "." + key);
      }
    }
    if (s.contains("items")) walk(s["items"], path + "[]");
    if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
      walk(s["additionalProperties"], path + ".*");
    }
  };
  walk(schema_, "");
  EXPECT_TRUE(missing.empty()) << ::testing::PrintToString(missing);
}

// A YAML slip (an unquoted comma in a flow mapping) turns text into schema keys that the
// apiserver silently prunes on create; only known keywords may appear in a schema node.
TEST_F(CrdTest, SchemaNodesUseOnlyOpenApiKeywords) {
  const std::set<std::string> keywords = {"type",          "description",
                                          "properties",    "items",
                                          "required",      "enum",
                                          "default",       "minimum",
                                          "maximum",       "exclusiveMaximum",
                                          "minLength",     "maxLength",
                                          "pattern",       "format",
                                          "maxItems",      "minItems",
                                          "maxProperties", "additionalProperties"};
  std::vector<std::string> stray;
  std::function<void(const json&, const std::string&)> walk = [&](const json& s,
                                                                  const std::string& path) {
    for (const auto& [key, sub] : s.items()) {
      if (!keywords.count(key) && key.rfind("x-kubernetes-", 0) != 0)
        stray.push_back(path + ":" + key);
    }
    if (s.contains("properties")) {
      for (const auto& [key, sub] : s["properties"].items()) walk(sub, path + "." + key);
    }
    if (s.contains("items")) walk(s["items"], path + "[]");
    if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
      walk(s["additionalProperties"], path + ".*");
    }
  };
  walk(schema_, "");
  EXPECT_TRUE(stray.empty()) << ::testing::PrintToString(stray);
}

}  // namespace
}  // namespace mm::api

namespace mm::api {
namespace {

TEST(ApiDocs, DescribeEveryMetric) {
  const std::string docs = testing::ReadFile(testing::SourcePath("docs/api.md"));
  ASSERT_FALSE(docs.empty());
  for (const MetricInfo& m : MetricCatalogue()) {
    EXPECT_NE(docs.find("| `" + std::string(m.name) + "` |"), std::string::npos) << m.name;
  }
}

}  // namespace
}  // namespace mm::api
