#include "operator/webhook/monitor_view.h"

#include <gtest/gtest.h>

#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

TEST(MonitorView, ReadsTheFieldsTheWebhookUses) {
  const json obj = testing::MonitorObject(
      "fraud", {{"matchLabels", {{"app", "fraud"}}}},
      {{"sidecar",
        {{"image", "img:1"}, {"resources", {{"limits", {{"cpu", "2"}}}}}, {"sampleRate", 0.1}}},
       {"groundTruth", {{"task", "binary-classification"}}}});
  auto m = MonitorFromJson(obj);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->ns, "ml");
  EXPECT_EQ(m->name, "fraud");
  EXPECT_EQ(m->generation, 3);
  EXPECT_EQ(m->serving_port_name, "http");
  EXPECT_FALSE(m->serving_port.has_value());
  EXPECT_EQ(m->sidecar_image, "img:1");
  EXPECT_EQ(m->sidecar_resources["limits"]["cpu"], "2");
  EXPECT_EQ(m->sidecar_config["sidecar"], json({{"sampleRate", 0.1}}));
  EXPECT_EQ(m->sidecar_config["groundTruth"]["task"], "binary-classification");
  EXPECT_EQ(m->sidecar_config["monitor"]["uid"], "uid-fraud");
}

TEST(MonitorView, ErrorsNameTheField) {
  json no_selector = testing::MonitorObject("m", nullptr);
  EXPECT_EQ(MonitorFromJson(no_selector).error().message, "ml/m: spec.selector: required");
  json bad_selector = testing::MonitorObject("m", {{"matchLabels", {{"a", 1}}}});
  EXPECT_NE(MonitorFromJson(bad_selector)
                .error()
                .message.find("spec.selector.matchLabels.a: must be a string"),
            std::string::npos);
  json bad_port = testing::MonitorObject("m", json::object(), {{"serving", {{"port", 70000}}}});
  EXPECT_EQ(MonitorFromJson(bad_port).error().message, "ml/m: spec.serving.port: must be 1..65535");
  EXPECT_FALSE(MonitorFromJson(json::array()).ok());
}

}  // namespace
}  // namespace mm::webhook
