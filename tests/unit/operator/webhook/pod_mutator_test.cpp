#include "operator/webhook/pod_mutator.h"

#include <gtest/gtest.h>

#include "operator/webhook/annotations.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

// A MonitorLookup with fixed content, or failing.
class FixedMonitors final : public MonitorLookup {
 public:
  Result<std::vector<api::ParsedMonitor>> MonitorsIn(const std::string& ns) override {
    asked.push_back(ns);
    if (!error.empty()) return Error{error};
    return monitors;
  }
  std::vector<api::ParsedMonitor> monitors;
  std::string error;
  std::vector<std::string> asked;
};

AdmissionRequest CreatePod(json pod) {
  AdmissionRequest r;
  r.uid = "uid-1";
  r.kind = "Pod";
  r.version = "v1";
  r.resource = "pods";
  r.operation = "CREATE";
  r.ns = "ml";
  r.object = std::move(pod);
  return r;
}

TEST(PodMutator, InjectsASelectedPodAndEchoesTheUid) {
  FixedMonitors lookup;
  lookup.monitors = {testing::Monitor()};
  PodMutator mutator(lookup, {});
  const auto r = mutator.Admit(CreatePod(testing::ModelPod()));
  EXPECT_EQ(lookup.asked, std::vector<std::string>{"ml"});
  EXPECT_EQ(r.uid, "uid-1");
  EXPECT_TRUE(r.allowed);
  ASSERT_TRUE(r.patch.is_array());
  const json pod = testing::ModelPod().patch(r.patch);
  EXPECT_EQ(pod["spec"]["initContainers"][0]["name"], kSidecarContainerName);
  EXPECT_EQ(r.audit_annotations.at("injection"), "injected by fraud");
}

TEST(PodMutator, ReinvocationOfAnInjectedPodChangesNothing) {
  FixedMonitors lookup;
  lookup.monitors = {testing::Monitor()};
  PodMutator mutator(lookup, {});
  const auto first = mutator.Admit(CreatePod(testing::ModelPod()));
  const json injected = testing::ModelPod().patch(first.patch);
  const auto again = mutator.Admit(CreatePod(injected));
  EXPECT_TRUE(again.allowed);
  EXPECT_TRUE(again.patch.is_null());
  EXPECT_NE(again.audit_annotations.at("injection").find("already injected"), std::string::npos);
}

TEST(PodMutator, UnselectedPodIsAllowedWithoutPatchOrWarning) {
  FixedMonitors lookup;
  lookup.monitors = {testing::Monitor()};
  const auto r = PodMutator(lookup, {}).Admit(CreatePod(testing::ModelPod({{"app", "web"}})));
  EXPECT_TRUE(r.allowed);
  EXPECT_TRUE(r.patch.is_null());
  EXPECT_TRUE(r.warnings.empty());
}

TEST(PodMutator, OnlyPodCreateIsConsidered) {
  FixedMonitors lookup;
  lookup.monitors = {testing::Monitor()};
  PodMutator mutator(lookup, {});
  auto update = CreatePod(testing::ModelPod());
  update.operation = "UPDATE";
  EXPECT_TRUE(mutator.Admit(update).patch.is_null());
  auto deployment = CreatePod(testing::ModelPod());
  deployment.kind = "Deployment";
  deployment.group = "apps";
  EXPECT_TRUE(mutator.Admit(deployment).patch.is_null());
  EXPECT_TRUE(lookup.asked.empty());
}

TEST(PodMutator, LookupFailureAllowsThePodAndSaysSo) {
  FixedMonitors lookup;
  lookup.error = "cannot list ModelMonitors in ml: connection refused";
  const auto r = PodMutator(lookup, {}).Admit(CreatePod(testing::ModelPod()));
  EXPECT_TRUE(r.allowed);
  EXPECT_TRUE(r.patch.is_null());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("connection refused"), std::string::npos);
}

TEST(PodMutator, UninjectablePodIsAllowedWithTheReason) {
  FixedMonitors lookup;
  lookup.monitors = {testing::Monitor("fraud", {{"matchLabels", {{"app", "fraud"}}}},
                                      {{"serving", {{"port", "grpc"}}}})};
  const auto r = PodMutator(lookup, {}).Admit(CreatePod(testing::ModelPod()));
  EXPECT_TRUE(r.allowed);
  EXPECT_TRUE(r.patch.is_null());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("\"grpc\" names no port"), std::string::npos);
}

}  // namespace
}  // namespace mm::webhook
