// The contract between the webhook and the sidecar: what the webhook injects as
// MM_MONITOR_CONFIG (api::SidecarConfigText) is what ApplyMonitorSpec reads.
#include <gtest/gtest.h>

#include "common/api/parsed_monitor.h"
#include "common/api/sidecar_monitor_config.h"
#include "common/yaml_json.h"
#include "sidecar/monitor_config.h"
#include "tests/support/crd_schema.h"

namespace mm::sidecar {
namespace {

TEST(MonitorConfigWebhookTest, TheSidecarReadsWhatTheWebhookInjects) {
  auto docs =
      ParseYamlDocuments(testing::ReadFile(testing::SourcePath("examples/fraud-classifier.yaml")));
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  nlohmann::json monitor = (*docs)[0];
  monitor["metadata"]["namespace"] = "payments";
  monitor["metadata"]["uid"] = "0b6f3a52-1111-2222-3333-444455556666";
  monitor["metadata"]["generation"] = 3;
  const api::ParsedMonitor read = api::ParsedMonitor::FromJson(monitor);
  ASSERT_TRUE(read.ok()) << read.error;
  const auto injected = nlohmann::json::parse(api::SidecarConfigText(*read.monitor));
  ASSERT_TRUE(injected.contains("monitor"));  // the injected form, not a whole spec

  SidecarConfig c;
  auto applied = ApplyMonitorSpec(injected, &c);
  ASSERT_TRUE(applied.ok()) << applied.error().message << "\n" << injected.dump();
  EXPECT_EQ(c.protocol.protocol, api::Protocol::kOpenInferenceV2);
  EXPECT_EQ(c.requests.request_id_header, "x-request-id");
  ASSERT_TRUE(c.ground_truth);
  EXPECT_EQ(c.ground_truth->accuracy.task, api::Task::kBinaryClassification);
  EXPECT_EQ(c.ground_truth->accuracy.threshold, 0.5);
  EXPECT_EQ(c.ground_truth->limits.max_pending, 2000000);
  EXPECT_TRUE(c.Validate().ok());
}

TEST(MonitorConfigWebhookTest, TheInjectedFormIsCheckedLikeASpec) {
  const nlohmann::json injected = {
      {"monitor", {{"namespace", "ns"}, {"name", "m"}, {"uid", "u"}, {"generation", 1}}},
      {"serving", {{"protocol", "grpc"}}}};
  SidecarConfig c;
  auto applied = ApplyMonitorSpec(injected, &c);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("serving.protocol"), std::string::npos)
      << applied.error().message;
}

}  // namespace
}  // namespace mm::sidecar
