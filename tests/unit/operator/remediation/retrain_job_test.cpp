#include "operator/remediation/retrain_job.h"

#include <gtest/gtest.h>

#include <set>

namespace mm::op {
namespace {

using nlohmann::json;

RetrainContext Context() {
  RetrainContext c;
  c.ns = "team";
  c.monitor = "fraud";
  c.monitor_uid = "uid-1";
  c.alert = "accuracy-drop";
  c.episode = "2026-11-22T04:00:00Z";
  c.value = 0.8123456;
  c.window = "10m";
  c.data_from = "2026-11-22T03:50:00Z";
  c.data_to = "2026-11-22T04:00:00Z";
  return c;
}

const json kTemplate = {{"metadata", {{"labels", {{"team", "ml"}}}}},
                        {"spec",
                         {{"backoffLimit", 1},
                          {"template",
                           {{"spec",
                             {{"restartPolicy", "Never"},
                              {"containers",
                               {{{"name", "train"},
                                 {"image", "trainer:1"},
                                 {"env", {{{"name", "A"}, {"value", "1"}}}}}}}}}}}}}};

TEST(RetrainJobTest, NameIsOnePerEpisode) {
  RetrainContext c = Context();
  const std::string name = RetrainJobName(c);
  EXPECT_EQ(name.rfind("fraud-accuracy-drop-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("fraud-accuracy-drop-").size() + 8);
  EXPECT_EQ(RetrainJobName(c), name) << "deterministic";
  RetrainContext next = c;
  next.episode = "2026-11-22T05:00:00Z";
  EXPECT_NE(RetrainJobName(next), name) << "a new episode gets a new Job";
  RetrainContext other_ns = c;
  other_ns.ns = "other";
  EXPECT_NE(RetrainJobName(other_ns), name);
  RetrainContext value_changed = c;
  value_changed.value = 0.5;
  EXPECT_EQ(RetrainJobName(value_changed), name) << "the value does not name the episode";

  RetrainContext longer = c;
  longer.monitor = std::string(60, 'm');
  EXPECT_LE(RetrainJobName(longer).size(), 63u);
}

TEST(RetrainJobTest, JobCarriesMonitorAlertValueAndWindow) {
  auto job = BuildRetrainJob(kTemplate, Context());
  ASSERT_TRUE(job.ok()) << job.error().message;
  const json& j = *job;
  EXPECT_EQ(j["kind"], "Job");
  EXPECT_EQ(j["metadata"]["name"], RetrainJobName(Context()));
  EXPECT_EQ(j["metadata"]["namespace"], "team");
  EXPECT_EQ(j["metadata"]["labels"]["team"], "ml");
  EXPECT_EQ(j["metadata"]["labels"][kMonitorLabel], "fraud");
  EXPECT_EQ(j["metadata"]["labels"][kAlertLabel], "accuracy-drop");
  EXPECT_EQ(j["metadata"]["annotations"]["modelmonitor.io/value"], "0.8123");
  EXPECT_EQ(j["metadata"]["annotations"]["modelmonitor.io/window"], "10m");
  EXPECT_EQ(j["metadata"]["annotations"]["modelmonitor.io/data-from"], "2026-11-22T03:50:00Z");
  EXPECT_EQ(j["metadata"]["ownerReferences"][0]["uid"], "uid-1");
  EXPECT_EQ(j["spec"]["backoffLimit"], 1);
  const json& env = j["spec"]["template"]["spec"]["containers"][0]["env"];
  std::set<std::string> names;
  for (const auto& e : env) names.insert(e["name"].get<std::string>());
  for (const char* n : {"A", "MM_MONITOR", "MM_NAMESPACE", "MM_ALERT", "MM_VALUE", "MM_WINDOW",
                        "MM_EPISODE", "MM_DATA_FROM", "MM_DATA_TO"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  EXPECT_EQ(j["spec"]["template"]["metadata"]["labels"][kMonitorLabel], "fraud");
}

TEST(RetrainJobTest, RefusesTemplatesWithoutPodSpecAndReadsOutcomes) {
  EXPECT_FALSE(BuildRetrainJob(json::object(), Context()).ok());
  EXPECT_FALSE(
      BuildRetrainJob({{"spec", {{"template", {{"spec", json::object()}}}}}}, Context()).ok());
  EXPECT_FALSE(JobOutcome({{"status", {{"active", 1}}}}));
  EXPECT_EQ(
      JobOutcome({{"status", {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}}),
      "Complete");
  EXPECT_EQ(JobOutcome({{"status",
                         {{"conditions",
                           {{{"type", "FailureTarget"}, {"status", "True"}},
                            {{"type", "Failed"}, {"status", "True"}}}}}}}),
            "Failed");
}

}  // namespace
}  // namespace mm::op
