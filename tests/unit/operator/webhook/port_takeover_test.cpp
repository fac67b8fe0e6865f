#include "operator/webhook/port_takeover.h"

#include <gtest/gtest.h>

#include "common/kube/json_patch.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

TEST(PortTakeover, RenamedNameFitsIanaSvcNameRules) {
  EXPECT_EQ(RenamedPortName("http", {}), "http-model");
  EXPECT_EQ(RenamedPortName("inference", {}), "inference-model");  // exactly 15
  EXPECT_EQ(RenamedPortName("http-inference", {}), "http-infe-model");
  EXPECT_EQ(RenamedPortName("http-----x", {}), "http-model");  // no "--", no trailing '-'
  EXPECT_EQ(RenamedPortName("http", {"http-model"}), "model-1");
  EXPECT_EQ(RenamedPortName("http", {"http-model", "model-1"}), "model-2");
  EXPECT_EQ(RenamedPortName("8000", {}), "8000-model");
}

TEST(PortTakeover, FindsThePortByNameInAnyContainer) {
  json spec = testing::ModelPod()["spec"];
  spec["containers"].insert(
      spec["containers"].begin(),
      json{{"name", "proxy"}, {"ports", {{{"name", "admin"}, {"containerPort", 15000}}}}});
  auto t = PlanPortTakeover(spec, testing::Monitor().monitor->spec.serving.port);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->container_index, 1u);
  EXPECT_EQ(t->container_name, "model");
  EXPECT_EQ(t->model_port, 8000);
  EXPECT_EQ(t->original_name, "http");
  EXPECT_EQ(t->renamed_to, "http-model");
}

TEST(PortTakeover, UndeclaredNumberForwardsWithAWarning) {
  auto t = PlanPortTakeover(
      testing::ModelPod()["spec"],
      testing::Monitor("m", {{"matchLabels", {{"app", "fraud"}}}}, {{"serving", {{"port", 7000}}}})
          .monitor->spec.serving.port);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->model_port, 7000);
  EXPECT_TRUE(t->renamed_to.empty());
  EXPECT_NE(t->warning.find("not declared"), std::string::npos);
}

TEST(PortTakeover, FreePortSkipsUsedNumbers) {
  EXPECT_EQ(FreePort(8080, {}), 8080);
  EXPECT_EQ(FreePort(8080, {8080, 8081}), 8082);
  EXPECT_EQ(FreePort(65535, {65535}), 1024);
}

TEST(JsonPointer, EscapesTildeAndSlash) {
  EXPECT_EQ(kube::EscapeJsonPointerToken("modelmonitor.io/injected"), "modelmonitor.io~1injected");
  EXPECT_EQ(kube::EscapeJsonPointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(kube::EscapeJsonPointerToken("~1"), "~01");
  // nlohmann's RFC 6901 implementation agrees.
  const json doc = {{"a~b/c", 1}};
  EXPECT_EQ(doc.at(json::json_pointer("/" + kube::EscapeJsonPointerToken("a~b/c"))), 1);
}

}  // namespace
}  // namespace mm::webhook
