#include "sidecar/monitor_config.h"

#include <gtest/gtest.h>

#include "sidecar/options.h"

namespace mm::sidecar {
namespace {

const nlohmann::json kSpec = nlohmann::json::parse(R"({
  "selector": {"matchLabels": {"app": "fraud"}},
  "target": {"kind": "Deployment", "name": "fraud"},
  "serving": {"port": 8081, "protocol": "kserve-v1", "requestIdHeader": "x-trace-id"},
  "sidecar": {"sampleRate": 0.25, "maxBodyBytes": 2048},
  "groundTruth": {"task": "binary-classification", "positiveClass": "1", "threshold": 0.7,
                  "maxLabelDelay": "2h", "maxPending": 5000}
})");

TEST(MonitorConfigTest, MapsServingSidecarAndGroundTruth) {
  SidecarConfig c;
  ASSERT_TRUE(ApplyMonitorSpec(kSpec, &c).ok());
  EXPECT_EQ(c.proxy.upstream_port, 8081);
  EXPECT_EQ(c.protocol.protocol, api::Protocol::kKServeV1);
  EXPECT_EQ(c.requests.request_id_header, "x-trace-id");
  EXPECT_EQ(c.requests.sample_rate, 0.25);
  EXPECT_EQ(c.requests.max_body_bytes, 2048u);
  ASSERT_TRUE(c.ground_truth);
  EXPECT_EQ(c.ground_truth->accuracy.task, api::Task::kBinaryClassification);
  EXPECT_EQ(c.ground_truth->accuracy.positive_class, 1);
  EXPECT_EQ(c.ground_truth->accuracy.threshold, 0.7);
  EXPECT_EQ(c.ground_truth->limits.max_label_delay, 2 * 3600 * 1000);
  EXPECT_EQ(c.ground_truth->limits.max_pending, 5000);
  EXPECT_TRUE(c.Validate().ok());
}

TEST(MonitorConfigTest, BadSpecIsRefusedWithTheFieldPath) {
  nlohmann::json bad = kSpec;
  bad["sidecar"]["sampleRate"] = 3;
  SidecarConfig c;
  auto st = ApplyMonitorSpec(bad, &c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("sampleRate"), std::string::npos) << st.error().message;

  bad = kSpec;
  bad["groundTruth"]["positiveClass"] = "fraud";
  st = ApplyMonitorSpec(bad, &c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("positiveClass"), std::string::npos) << st.error().message;
}

const char* FakeEnv(const char* name) {
  static const std::string spec = kSpec.dump();
  if (std::string_view(name) == "MM_MONITOR_CONFIG") return spec.c_str();
  if (std::string_view(name) == "MM_LABEL_TOKEN") return "tok";
  if (std::string_view(name) == "MM_ADMIN_TOKEN") return "adm";
  if (std::string_view(name) == "MM_STORE_DIR") return "/var/mm";
  return nullptr;
}

TEST(MonitorConfigTest, OptionsReadTheEnvironmentAndUpstreamFlagWins) {
  SidecarOptions o;
  auto c = ConfigFromOptions(o, FakeEnv);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->proxy.upstream_port, 8081) << "the spec's port when --upstream is not given";
  EXPECT_EQ(c->label_token, "tok");
  EXPECT_EQ(c->admin_token, "adm");
  ASSERT_TRUE(c->ground_truth);
  EXPECT_EQ(c->ground_truth->store_dir, "/var/mm");

  o.upstream = "127.0.0.1:9000";
  o.upstream_given = true;
  c = ConfigFromOptions(o, FakeEnv);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->proxy.upstream_port, 9000);
}

}  // namespace
}  // namespace mm::sidecar
