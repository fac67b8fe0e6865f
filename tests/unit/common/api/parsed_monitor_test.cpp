#include "common/api/parsed_monitor.h"

#include <gtest/gtest.h>

#include "common/api/sidecar_monitor_config.h"

namespace mm::api {
namespace {

using nlohmann::json;

json MonitorObject(json spec_extra = json::object()) {
  json spec = {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
               {"target", {{"kind", "Deployment"}, {"name", "fraud"}}}};
  spec.update(spec_extra);
  return {{"apiVersion", "modelmonitor.io/v1alpha1"},
          {"kind", "ModelMonitor"},
          {"metadata",
           {{"name", "fraud"},
            {"namespace", "ml"},
            {"uid", "uid-fraud"},
            {"generation", 3},
            {"creationTimestamp", "2026-11-01T10:00:00Z"}}},
          {"spec", spec}};
}

TEST(ParsedMonitorTest, ReadsTheObjectOnceAndCompilesItsSelector) {
  const ParsedMonitor m = ParsedMonitor::FromJson(MonitorObject(
      {{"sidecar", {{"image", "img:1"}, {"resources", {{"limits", {{"cpu", "2"}}}}}}}}));
  ASSERT_TRUE(m.ok()) << m.error;
  EXPECT_EQ(m.meta.namespace_name, "ml");
  EXPECT_EQ(m.meta.generation, 3);
  EXPECT_EQ(m.meta.creation_timestamp, "2026-11-01T10:00:00Z");
  EXPECT_EQ(m.monitor->spec.serving.port.name, "http");  // the CRD's default
  EXPECT_EQ(m.monitor->spec.sidecar.image, "img:1");
  EXPECT_EQ(ToJson(m.monitor->spec.sidecar.resources), json({{"limits", {{"cpu", "2"}}}}));
  ASSERT_TRUE(m.selector.has_value());
  EXPECT_EQ(m.selector->ToQuery(), "app=fraud");
  EXPECT_TRUE(m.selector->Matches(json{{"app", "fraud"}, {"tier", "x"}}));
  EXPECT_FALSE(m.selector->Matches(json{{"app", "other"}}));
}

TEST(ParsedMonitorTest, ARefusedSpecKeepsTheMetadataAndSaysWhichField) {
  const ParsedMonitor m = ParsedMonitor::FromJson(MonitorObject({{"selector", nullptr}}));
  EXPECT_FALSE(m.ok());
  EXPECT_FALSE(m.selector.has_value());
  EXPECT_EQ(m.meta.name, "fraud");
  EXPECT_EQ(m.meta.uid, "uid-fraud");
  EXPECT_NE(m.error.find("spec.selector"), std::string::npos) << m.error;

  const ParsedMonitor bad_port =
      ParsedMonitor::FromJson(MonitorObject({{"serving", {{"port", 70000}}}}));
  EXPECT_NE(bad_port.error.find("spec.serving.port: 70000: must be a port number"),
            std::string::npos)
      << bad_port.error;
  EXPECT_FALSE(ParsedMonitor::FromJson(json::array()).ok());
}

TEST(SidecarMonitorConfigTest, TheInjectedFormHoldsOnlyTheSidecarsPartAndRoundTrips) {
  const ParsedMonitor m = ParsedMonitor::FromJson(MonitorObject(
      {{"sidecar", {{"image", "img:1"}, {"sampleRate", 0.1}}},
       {"serving", {{"port", 8000}, {"protocol", "kserve-v1"}}},
       {"groundTruth", {{"task", "binary-classification"}, {"positiveClass", "1"}}},
       {"alerts",
        {{{"name", "slow"}, {"metric", "latency_p99_seconds"}, {"op", ">"}, {"threshold", 1}}}}}));
  ASSERT_TRUE(m.ok()) << m.error;
  const json injected = json::parse(SidecarConfigText(*m.monitor));
  EXPECT_EQ(
      injected["monitor"],
      json({{"namespace", "ml"}, {"name", "fraud"}, {"uid", "uid-fraud"}, {"generation", 3}}));
  EXPECT_EQ(injected["sidecar"], json({{"sampleRate", 0.1}, {"maxBodyBytes", 1 << 20}}));
  EXPECT_EQ(injected["serving"]["protocol"], "kserve-v1");
  EXPECT_FALSE(injected.contains("selector"));
  EXPECT_FALSE(injected.contains("alerts"));
  auto back = ParseSidecarMonitorConfig(injected);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value(), SidecarConfigOf(*m.monitor));
  EXPECT_EQ(back->serving.port.number, 8000);
  EXPECT_EQ(back->ground_truth->positive_class, "1");
}

TEST(SidecarMonitorConfigTest, AWholeMonitorOrABareSpecIsReadToo) {
  auto whole = ParseSidecarMonitorConfig(MonitorObject({{"sidecar", {{"sampleRate", 0.5}}}}));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->monitor.uid, "uid-fraud");
  EXPECT_EQ(whole->sample_rate, 0.5);
  auto bare = ParseSidecarMonitorConfig(MonitorObject()["spec"]);
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_EQ(bare->monitor.uid, "");
  EXPECT_EQ(bare->serving.request_id_header, "x-request-id");
}

TEST(SidecarMonitorConfigTest, ErrorsNameTheSpecField) {
  const json injected = {{"monitor", {{"name", "fraud"}, {"uid", "u"}, {"generation", 1}}},
                         {"serving", {{"protocol", "grpc"}}}};
  auto refused = ParseSidecarMonitorConfig(injected);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("spec.serving.protocol"), std::string::npos)
      << refused.error().message;
  json unknown = injected;
  unknown["serving"] = json::object();
  unknown["alerts"] = json::array();  // not a sidecar's
  EXPECT_FALSE(ParseSidecarMonitorConfig(unknown).ok());
  json no_name = injected;
  no_name["serving"] = json::object();
  no_name["monitor"].erase("name");
  EXPECT_FALSE(ParseSidecarMonitorConfig(no_name).ok());
}

}  // namespace
}  // namespace mm::api
