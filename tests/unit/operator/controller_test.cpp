#include "operator/controller.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using nlohmann::json;

json Monitor(const json& spec, const json& status) {
  json m = {{"metadata", {{"name", "m"}, {"namespace", "ns"}}}, {"spec", spec}};
  if (!status.is_null()) m["status"] = status;
  return m;
}

TEST(NeedsEvaluationTest, OnlyMonitorsWithAlertsOrWhatEarlierAlertsLeft) {
  const json selector = {{"matchLabels", {{"app", "m"}}}};
  const json alert = {{"name", "slow"}, {"metric", "latency_p99_seconds"}};
  // Nothing to evaluate, nothing to clear: left out of the rounds.
  EXPECT_FALSE(NeedsEvaluation(Monitor({{"selector", selector}}, nullptr)));
  EXPECT_FALSE(NeedsEvaluation(Monitor({{"selector", selector}, {"alerts", json::array()}},
                                       {{"pods", {{"matched", 1}}}, {"firingAlerts", 0}})));
  EXPECT_FALSE(NeedsEvaluation(
      Monitor({{"selector", selector}}, {{"alerts", json::array()}, {"metrics", nullptr}})));
  EXPECT_FALSE(NeedsEvaluation(json::object()));
  // Alerts to evaluate.
  EXPECT_TRUE(NeedsEvaluation(Monitor({{"selector", selector}, {"alerts", {alert}}}, nullptr)));
  // Alerts removed from the spec whose states, count or metrics are still in the status.
  EXPECT_TRUE(NeedsEvaluation(Monitor({{"selector", selector}},
                                      {{"alerts", {{{"name", "slow"}, {"state", "Inactive"}}}}})));
  EXPECT_TRUE(NeedsEvaluation(Monitor({{"selector", selector}}, {{"firingAlerts", 1}})));
  EXPECT_TRUE(
      NeedsEvaluation(Monitor({{"selector", selector}}, {{"metrics", {{"requests", 10}}}})));
  // Not what the API would hold: evaluated, so the evaluator reports it.
  EXPECT_TRUE(NeedsEvaluation(Monitor({{"selector", selector}, {"alerts", "slow"}}, nullptr)));
}

}  // namespace
}  // namespace mm::op
