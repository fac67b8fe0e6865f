#include "sidecar/reload_plan.h"

#include <gtest/gtest.h>

namespace mm::sidecar {
namespace {

using Fields = std::vector<std::string>;

SidecarConfig WithGroundTruth() {
  SidecarConfig c;
  c.ground_truth.emplace();
  c.ground_truth->store_dir = "/var/lib/modelmonitor";
  return c;
}

TEST(ReloadPlanTest, RequestSettingsAndProtocolReload) {
  SidecarConfig live;
  live.monitor_spec = "old";
  SidecarConfig next = live;
  next.monitor_spec = "new";
  next.protocol = {api::Protocol::kJson, "$.predictions"};
  next.requests.request_id_header = "x-trace-id";
  next.requests.sample_rate = 0.1;
  next.requests.max_body_bytes = 2048;
  const ReloadPlan plan = PlanReload(live, next);
  EXPECT_EQ(plan.reloaded, (Fields{"spec.serving.outputPath", "spec.serving.requestIdHeader",
                                   "spec.sidecar.sampleRate", "spec.sidecar.maxBodyBytes"}));
  EXPECT_TRUE(plan.restart_required.empty());
  EXPECT_EQ(plan.config.protocol.output_path, "$.predictions");
  EXPECT_EQ(plan.config.requests.request_id_header, "x-trace-id");
  EXPECT_EQ(plan.config.requests.sample_rate, 0.1);
  EXPECT_EQ(plan.config.requests.max_body_bytes, 2048u);
  EXPECT_EQ(plan.config.monitor_spec, "new");
}

TEST(ReloadPlanTest, TheModelPortNeedsARestartAndKeepsItsValue) {
  SidecarConfig live;
  live.proxy.upstream_port = 8000;
  SidecarConfig next = live;
  next.proxy.upstream_port = 9000;
  next.protocol.protocol = api::Protocol::kKServeV1;
  const ReloadPlan plan = PlanReload(live, next);
  EXPECT_EQ(plan.restart_required, Fields{"spec.serving.port"});
  EXPECT_EQ(plan.reloaded, Fields{"spec.serving.protocol"});
  EXPECT_EQ(plan.config.proxy.upstream_port, 8000);
  EXPECT_EQ(plan.config.protocol.protocol, api::Protocol::kKServeV1);
}

TEST(ReloadPlanTest, StoreLimitsReloadButScoringNeedsARestart) {
  SidecarConfig live = WithGroundTruth();
  SidecarConfig next = live;
  next.ground_truth->store_dir.clear();  // a fresh load has the flag's folder, or none
  next.ground_truth->accuracy.task = api::Task::kMulticlassClassification;
  next.ground_truth->accuracy.positive_class = 0;
  next.ground_truth->accuracy.threshold = 0.7;
  next.ground_truth->limits.max_pending = 500;
  next.ground_truth->limits.max_label_delay = 60 * 1000;
  const ReloadPlan plan = PlanReload(live, next);
  EXPECT_EQ(plan.restart_required,
            (Fields{"spec.groundTruth.task", "spec.groundTruth.positiveClass",
                    "spec.groundTruth.threshold"}));
  EXPECT_EQ(plan.reloaded,
            (Fields{"spec.groundTruth.maxLabelDelay", "spec.groundTruth.maxPending"}));
  ASSERT_TRUE(plan.config.ground_truth);
  EXPECT_EQ(plan.config.ground_truth->accuracy.task, api::Task::kBinaryClassification);
  EXPECT_EQ(plan.config.ground_truth->accuracy.threshold, 0.5);
  EXPECT_EQ(plan.config.ground_truth->limits.max_pending, 500);
  EXPECT_EQ(plan.config.ground_truth->limits.max_label_delay, 60 * 1000);
  EXPECT_EQ(plan.config.ground_truth->store_dir, "/var/lib/modelmonitor");
}

TEST(ReloadPlanTest, AddingOrRemovingTheGroundTruthNeedsARestart) {
  const SidecarConfig without;
  const SidecarConfig with = WithGroundTruth();
  for (const auto& [live, next] : {std::pair{without, with}, std::pair{with, without}}) {
    const ReloadPlan plan = PlanReload(live, next);
    EXPECT_EQ(plan.restart_required, Fields{"spec.groundTruth"});
    EXPECT_EQ(plan.config.ground_truth.has_value(), live.ground_truth.has_value());
  }
}

TEST(ReloadPlanTest, TheSameConfigChangesNothing) {
  const SidecarConfig live = WithGroundTruth();
  const ReloadPlan plan = PlanReload(live, live);
  EXPECT_TRUE(plan.reloaded.empty());
  EXPECT_TRUE(plan.restart_required.empty());
}

}  // namespace
}  // namespace mm::sidecar
