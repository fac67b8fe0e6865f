#include "operator/reconcile/conditions.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using nlohmann::json;

Observation Healthy() {
  Observation o;
  o.generation = 3;
  o.ns = "prod";
  o.selector = "app=fraud";
  o.matched = 2;
  o.injected = 2;
  o.target_kind = "Deployment";
  o.target_name = "fraud";
  o.target_found = true;
  return o;
}

const Condition& Find(const std::vector<Condition>& cs, const std::string& type) {
  for (const auto& c : cs) {
    if (c.type == type) return c;
  }
  static Condition none;
  ADD_FAILURE() << "no condition " << type;
  return none;
}

TEST(ConditionsTest, AllInjectedIsReady) {
  auto cs = ComputeConditions(Healthy());
  EXPECT_EQ(Find(cs, "Ready").status, "True");
  EXPECT_EQ(Find(cs, "Ready").reason, "Reconciled");
  EXPECT_EQ(Find(cs, "Injected").reason, "AllPodsInjected");
  EXPECT_EQ(Find(cs, "Degraded").status, "False");
  EXPECT_EQ(Find(cs, "Degraded").reason, "AsExpected");
  for (const auto& c : cs) EXPECT_EQ(c.observed_generation, 3);
}

TEST(ConditionsTest, MissedPodsAreDegradedAndNamed) {
  Observation o = Healthy();
  o.matched = 8;
  o.injected = 1;
  o.not_injected = {"p1", "p2", "p3", "p4", "p5", "p6", "p7"};
  auto cs = ComputeConditions(o);
  EXPECT_EQ(Find(cs, "Ready").status, "False");
  EXPECT_EQ(Find(cs, "Ready").reason, "PodsNotInjected");
  EXPECT_EQ(Find(cs, "Degraded").status, "True");
  EXPECT_EQ(Find(cs, "Degraded").reason, "PodsNotInjected");
  const std::string& msg = Find(cs, "Injected").message;
  EXPECT_NE(msg.find("1 of 8 pods matching \"app=fraud\" in namespace prod"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("p1, p2, p3, p4, p5 and 2 more"), std::string::npos) << msg;
}

TEST(ConditionsTest, NoPodsIsNotReadyButNotDegraded) {
  Observation o = Healthy();
  o.matched = o.injected = 0;
  auto cs = ComputeConditions(o);
  EXPECT_EQ(Find(cs, "Ready").reason, "NoPodsMatched");
  EXPECT_EQ(Find(cs, "Injected").status, "False");
  EXPECT_EQ(Find(cs, "Degraded").status, "False");
}

TEST(ConditionsTest, MissingTargetIsDegraded) {
  Observation o = Healthy();
  o.target_found = false;
  auto cs = ComputeConditions(o);
  EXPECT_EQ(Find(cs, "Degraded").reason, "TargetNotFound");
  EXPECT_EQ(Find(cs, "Ready").reason, "TargetNotFound");
  EXPECT_NE(Find(cs, "Degraded").message.find("Deployment prod/fraud"), std::string::npos);
}

TEST(ConditionsTest, InvalidSpecIsATerminalSpecError) {
  Observation o = Healthy();
  o.spec_error = "spec.selector.matchExpressions[0].operator: \"Eq\" is not one of In, ...";
  auto cs = ComputeConditions(o);
  EXPECT_EQ(Find(cs, "Ready").reason, "InvalidSpec");
  EXPECT_EQ(Find(cs, "Injected").status, "Unknown");
  EXPECT_EQ(Find(cs, "Degraded").status, "True");
  EXPECT_EQ(Find(cs, "Degraded").message, o.spec_error);
}

TEST(DesiredStatusTest, KeepsTransitionTimesAndOtherFields) {
  const json first = DesiredStatus(json(nullptr), Healthy(), "2026-01-01T00:00:00Z");
  EXPECT_EQ(first["observedGeneration"], 3);
  EXPECT_EQ(first["pods"], (json{{"matched", 2}, {"injected", 2}}));
  json with_others = first;
  with_others["alerts"] = json::array({{{"name", "slow"}}});
  with_others["conditions"].push_back({{"type", "Alerting"}, {"status", "False"}});

  // Same observation later: nothing changes, so nothing would be written.
  EXPECT_EQ(DesiredStatus(with_others, Healthy(), "2026-01-02T00:00:00Z"), with_others);

  // One pod loses the sidecar: Ready flips (new time), Alerting and alerts stay.
  Observation o = Healthy();
  o.injected = 1;
  o.not_injected = {"p"};
  const json next = DesiredStatus(with_others, o, "2026-01-03T00:00:00Z");
  EXPECT_EQ(next["alerts"], with_others["alerts"]);
  std::map<std::string, std::string> times;
  for (const auto& c : next["conditions"]) times[c["type"]] = c.value("lastTransitionTime", "");
  EXPECT_EQ(times["Ready"], "2026-01-03T00:00:00Z");
  EXPECT_EQ(times["Degraded"], "2026-01-03T00:00:00Z");
  EXPECT_TRUE(times.count("Alerting"));
  EXPECT_EQ(next["pods"]["injected"], 1);
}

}  // namespace
}  // namespace mm::op
