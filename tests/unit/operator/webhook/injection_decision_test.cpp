#include "operator/webhook/injection_decision.h"

#include <gtest/gtest.h>

#include "operator/webhook/annotations.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;
using Outcome = InjectionDecision::Outcome;
using testing::ModelPod;
using testing::Monitor;

TEST(InjectionDecision, SelectingMonitorInjects) {
  const std::vector<api::ParsedMonitor> monitors = {
      Monitor("other", {{"matchLabels", {{"app", "other"}}}}), Monitor("fraud")};
  const auto d = DecideInjection(ModelPod(), monitors);
  EXPECT_EQ(d.outcome, Outcome::kInject);
  ASSERT_NE(d.monitor, nullptr);
  EXPECT_EQ(d.monitor->meta.name, "fraud");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(InjectionDecision, NoSelectingMonitorLeavesThePodAlone) {
  const auto d = DecideInjection(ModelPod({{"app", "web"}}), {Monitor("fraud")});
  EXPECT_EQ(d.outcome, Outcome::kNotSelected);
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(DecideInjection(ModelPod(), {}).outcome, Outcome::kNotSelected);
}

TEST(InjectionDecision, AlreadyInjectedIsSkipped) {
  json pod = ModelPod();
  pod["metadata"]["annotations"][kInjectedAnnotation] = "fraud@0.1.0";
  auto d = DecideInjection(pod, {Monitor()});
  EXPECT_EQ(d.outcome, Outcome::kSkip);
  EXPECT_EQ(d.reason, "already injected (fraud@0.1.0)");
  json with_container = ModelPod();
  with_container["spec"]["initContainers"] = {{{"name", kSidecarContainerName}}};
  EXPECT_EQ(DecideInjection(with_container, {Monitor()}).outcome, Outcome::kSkip);
}

TEST(InjectionDecision, OptOutByAnnotationOrLabel) {
  json pod = ModelPod();
  pod["metadata"]["annotations"][kInjectAnnotation] = "false";
  auto d = DecideInjection(pod, {Monitor()});
  EXPECT_EQ(d.outcome, Outcome::kSkip);
  EXPECT_NE(d.reason.find("opted out"), std::string::npos);
  json labelled = ModelPod({{"app", "fraud"}, {kInjectLabel, "false"}});
  EXPECT_EQ(DecideInjection(labelled, {Monitor()}).outcome, Outcome::kSkip);
  json yes = ModelPod();
  yes["metadata"]["annotations"][kInjectAnnotation] = "true";
  EXPECT_EQ(DecideInjection(yes, {Monitor()}).outcome, Outcome::kInject);
}

TEST(InjectionDecision, HostNetworkIsSkippedWithAReasonTheUserSees) {
  json pod = ModelPod();
  pod["spec"]["hostNetwork"] = true;
  auto d = DecideInjection(pod, {Monitor()});
  EXPECT_EQ(d.outcome, Outcome::kSkip);
  EXPECT_NE(d.reason.find("hostNetwork"), std::string::npos);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("ModelMonitor fraud selects this pod"), std::string::npos);
}

TEST(InjectionDecision, OldestOfSeveralMonitorsWinsWithAWarning) {
  json newer = testing::MonitorObject("a-newer", {{"matchLabels", {{"app", "fraud"}}}});
  newer["metadata"]["creationTimestamp"] = "2026-11-02T00:00:00Z";
  json older = testing::MonitorObject(
      "z-older", {{"matchExpressions", {{{"key", "app"}, {"operator", "Exists"}}}}});
  older["metadata"]["creationTimestamp"] = "2026-10-01T00:00:00Z";
  const std::vector<api::ParsedMonitor> monitors = {api::ParsedMonitor::FromJson(newer),
                                                    api::ParsedMonitor::FromJson(older)};
  auto d = DecideInjection(ModelPod(), monitors);
  EXPECT_EQ(d.outcome, Outcome::kInject);
  EXPECT_EQ(d.monitor->meta.name, "z-older");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("not a-newer"), std::string::npos);
}

TEST(InjectionDecision, PodWithoutLabelsOrMetadataIsNotSelectedByALabelSelector) {
  EXPECT_EQ(DecideInjection(json::object(), {Monitor()}).outcome, Outcome::kNotSelected);
  EXPECT_EQ(DecideInjection(json::array(), {Monitor()}).outcome, Outcome::kNotSelected);
}

}  // namespace
}  // namespace mm::webhook
