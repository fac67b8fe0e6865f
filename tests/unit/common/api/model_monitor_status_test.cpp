#include <gtest/gtest.h>

#include <limits>

#include "common/api/model_monitor.h"

namespace mm::api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

ModelMonitorStatus FullStatus() {
  ModelMonitorStatus s;
  s.observed_generation = 4;
  s.conditions = {{"Ready", "True", 4, "2026-11-22T04:00:00Z", "Monitoring", "2 pods measured"},
                  {"Alerting", "True", 4, "2026-11-22T04:10:00Z", "AlertFiring", "slow"}};
  s.pods = {3, 2};
  s.firing_alerts = 1;
  s.last_action = "rollback Succeeded";
  s.metrics = MetricsSnapshot{"2026-11-22T04:10:00Z",
                              5min,
                              1200,
                              300,
                              {{Metric::kLatencyP99Seconds, 0.31}, {Metric::kAccuracy, 0.93}}};
  s.alerts = {{"slow", AlertState::kFiring, 0.31, 0.25, 1200, "2026-11-22T04:08:00Z",
               "latency_p99_seconds 0.31 > 0.25 over 5m (1200 samples)"},
              {"accuracy-low", AlertState::kInconclusive, std::nullopt, 0.9, 12, "", ""}};
  s.alerts[0].episode_since = "2026-11-22T04:08:00Z";
  s.remediations = {
      {"2026-11-22T04:10:00Z", "slow", Action::kRollback, RemediationResult::kSucceeded, 7, 6, "",
       0.31, ""},
      {"2026-11-22T04:11:00Z", "accuracy-low", Action::kRetrain, RemediationResult::kStarted,
       std::nullopt, std::nullopt, "fraud-retrain-x", std::nullopt, "Job created"},
      {"2026-11-22T04:12:00Z", "errors", Action::kNone, RemediationResult::kSucceeded, std::nullopt,
       std::nullopt, "", 0.6, "action none: recorded only"}};
  s.external_alerts = {{"slow", true, "2026-11-22T04:07:00Z", "", "1a30ba71cca2921f", 0.31,
                        "2026-11-22T04:07:02Z", "p99 above 250ms"},
                       {"errors", false, "2026-11-22T03:00:00Z", "2026-11-22T03:30:00Z", "",
                        std::nullopt, "2026-11-22T03:30:01Z", ""}};
  return s;
}

TEST(ModelMonitorStatus, WritesTheApisFieldNames) {
  const json j = ToJson(FullStatus());
  EXPECT_EQ(j["observedGeneration"], 4);
  EXPECT_EQ(j["pods"], json({{"matched", 3}, {"injected", 2}}));
  EXPECT_EQ(j["firingAlerts"], 1);
  EXPECT_EQ(j["lastAction"], "rollback Succeeded");
  EXPECT_EQ(j["conditions"][0]["lastTransitionTime"], "2026-11-22T04:00:00Z");
  EXPECT_EQ(j["metrics"]["window"], "5m");
  EXPECT_EQ(j["metrics"]["labeledSamples"], 300);
  EXPECT_EQ(j["metrics"]["latency_p99_seconds"], 0.31);
  EXPECT_EQ(j["alerts"][0]["state"], "Firing");
  EXPECT_EQ(j["alerts"][0]["episodeSince"], "2026-11-22T04:08:00Z");
  EXPECT_FALSE(j["alerts"][1].contains("episodeSince"));
  EXPECT_FALSE(j["alerts"][1].contains("value"));
  EXPECT_EQ(j["remediations"][0]["fromRevision"], 7);
  EXPECT_EQ(j["remediations"][1]["job"], "fraud-retrain-x");
  EXPECT_FALSE(j["remediations"][1].contains("toRevision"));
  EXPECT_EQ(j["remediations"][2]["action"], "none");
  EXPECT_EQ(j["externalAlerts"][0]["state"], "Firing");
  EXPECT_EQ(j["externalAlerts"][0]["value"], 0.31);
  EXPECT_FALSE(j["externalAlerts"][0].contains("ends"));
  EXPECT_EQ(j["externalAlerts"][1]["state"], "Resolved");
  EXPECT_EQ(j["externalAlerts"][1]["ends"], "2026-11-22T03:30:00Z");
}

TEST(ModelMonitorStatus, ReadsBackWhatItWrites) {
  const ModelMonitorStatus s = FullStatus();
  auto back = ParseModelMonitorStatus(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  auto empty = ParseModelMonitorStatus(ToJson(ModelMonitorStatus{}));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, ModelMonitorStatus{});
}

TEST(ModelMonitorStatus, RejectsWhatTheCrdRejects) {
  json j = ToJson(FullStatus());
  j["alerts"][0]["state"] = "Burning";
  j["conditions"][1]["lastTransitionTime"] = "yesterday";
  j["metrics"]["p99"] = 1;
  j["remediations"][0]["action"] = "undo";
  j["externalAlerts"][0]["state"] = "Pending";
  j["externalAlerts"][1]["since"] = "later";
  auto parsed = ParseModelMonitorStatus(j);
  ASSERT_FALSE(parsed.ok());
  const std::string& m = parsed.error().message;
  EXPECT_NE(m.find("status.alerts[0].state: \"Burning\" is not one of \"Inactive\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("status.conditions[1].lastTransitionTime: \"yesterday\" is not an RFC 3339"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("status.metrics.p99: unknown field"), std::string::npos) << m;
  EXPECT_NE(m.find("status.remediations[0].action"), std::string::npos) << m;
  EXPECT_NE(m.find("status.externalAlerts[0].state: \"Pending\" is not one of"), std::string::npos)
      << m;
  EXPECT_NE(m.find("status.externalAlerts[1].since: \"later\" is not an RFC 3339"),
            std::string::npos)
      << m;
}

// The EMA state goes through status exactly (the text form reads back to the same
// double), the bounds beside the value; an unbounded side is left out.
TEST(ModelMonitorStatus, SmoothedValueAndBoundsRoundTripExactly) {
  ModelMonitorStatus s;
  AlertStatus a;
  a.name = "slow";
  a.state = AlertState::kInconclusive;
  a.value = 0.1235;
  a.smoothed_value = 0.12345678901234567;
  a.lower_bound = 0.1;
  a.upper_bound = std::numeric_limits<double>::infinity();
  s.alerts = {a};
  const json j = ToJson(s);
  EXPECT_FALSE(j["alerts"][0].contains("upperBound"));
  EXPECT_EQ(j["alerts"][0]["lowerBound"], 0.1);
  auto back = ParseModelMonitorStatus(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->alerts[0].smoothed_value);
  EXPECT_EQ(*back->alerts[0].smoothed_value, 0.12345678901234567);  // bit for bit
  EXPECT_FALSE(back->alerts[0].upper_bound);
}

}  // namespace
}  // namespace mm::api
