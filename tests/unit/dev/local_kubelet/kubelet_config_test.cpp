#include "dev/local_kubelet/kubelet_config.h"

#include <gtest/gtest.h>

namespace mm::dev {
namespace {

const char* NoEnv(const char*) { return nullptr; }
const char* OneEnv(const char* name) {
  return std::string(name) == "MM_DEMO_PYTHON" ? "/venv/bin/python" : nullptr;
}

TEST(KubeletConfigTest, MapsImagesByExactNameOrGlob) {
  auto c = ParseKubeletConfig(R"(
sidecar: {imageContains: my-sidecar}
images:
- image: modelmonitor/demo-model:*
  command: ["python", "serve.py", "--port", "${PORT}"]
  workingDir: /srv
  env: {MODEL_VERSION: "${IMAGE_TAG}"}
- image: busybox
  command: [sleep, "3600"]
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->CommandFor("modelmonitor/demo-model:v2"), nullptr);
  EXPECT_EQ(c->CommandFor("modelmonitor/demo-model:v2")->working_dir, "/srv");
  EXPECT_EQ(c->CommandFor("modelmonitor/demo-model:v2")->env.at("MODEL_VERSION"), "${IMAGE_TAG}");
  EXPECT_EQ(c->CommandFor("busybox")->command[0], "sleep");
  EXPECT_EQ(c->CommandFor("busybox:1.36"), nullptr);
  EXPECT_EQ(c->CommandFor("nginx"), nullptr);
  EXPECT_TRUE(c->IsSidecarImage("ghcr.io/x/my-sidecar:1"));
  EXPECT_FALSE(c->IsSidecarImage("ghcr.io/x/modelmonitor-sidecar:1"));
}

TEST(KubeletConfigTest, ErrorsNameTheField) {
  auto expect_error = [](const char* yaml, const std::string& want) {
    auto c = ParseKubeletConfig(yaml);
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_NE(c.error().message.find(want), std::string::npos) << c.error().message;
  };
  expect_error("images: [{image: a}]", "images[0].command: required");
  expect_error("images: [{command: [x]}]", "images[0].image: required");
  expect_error("images: [{image: a, command: [1, {x: y}]}]", "every element must be a string");
  expect_error("imagez: []", "unknown key \"imagez\"");
  expect_error("images: [{image: a, command: [x], env: [1]}]", "images[0].env");
}

TEST(KubeletConfigTest, ExpandsPodVariablesThenTheEnvironment) {
  const std::map<std::string, std::string> vars = {{"POD_IP", "127.0.0.5"}, {"PORT", "8080"}};
  auto a = ExpandVariables("${MM_DEMO_PYTHON} --bind ${POD_IP}:${PORT} $$HOME $x", vars, OneEnv);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(*a, "/venv/bin/python --bind 127.0.0.5:8080 $HOME $x");
  auto unknown = ExpandVariables("--port=${PROT}", vars, NoEnv);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("${PROT} is neither a pod variable"), std::string::npos);
  EXPECT_FALSE(ExpandVariables("${POD_IP", vars, NoEnv).ok());
}

}  // namespace
}  // namespace mm::dev
