#include "dev/local_kubelet/container_launch.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace mm::dev {
namespace {

using nlohmann::json;

json InjectedPod() {
  return json::parse(R"({
    "metadata": {"name": "fraud-7d9f", "namespace": "demo", "uid": "u-1"},
    "spec": {
      "initContainers": [{
        "name": "modelmonitor-sidecar", "image": "ghcr.io/modelmonitor/modelmonitor-sidecar:0.1.0",
        "restartPolicy": "Always",
        "args": ["--data-port=8081", "--admin-port=9090", "--upstream=127.0.0.1:8080"],
        "env": [{"name": "MM_STORE_DIR", "value": "/var/lib/modelmonitor"},
                {"name": "MM_LABEL_TOKEN",
                 "valueFrom": {"secretKeyRef": {"name": "fraud-modelmonitor-tokens", "key": "label-token"}}},
                {"name": "MM_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "MM_POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
        "volumeMounts": [{"name": "mm-store", "mountPath": "/var/lib/modelmonitor"},
                         {"name": "mm-tmp", "mountPath": "/tmp"}]}],
      "containers": [{
        "name": "model", "image": "modelmonitor/demo-model:v2",
        "args": ["--threshold", "0.5"],
        "ports": [{"name": "http-model", "containerPort": 8080}]}],
      "volumes": [{"name": "mm-store", "emptyDir": {}}, {"name": "mm-tmp", "emptyDir": {"medium": "Memory"}}]
    }})");
}

KubeletConfig Config() {
  KubeletConfig c;
  c.images.push_back({"modelmonitor/demo-model:*",
                      {"python", "serve.py", "--host", "${POD_IP}", "--port", "${PORT}"},
                      "/srv/${IMAGE_TAG}",
                      {{"MODEL_REVISION", "${IMAGE_TAG}"}}});
  return c;
}

PodContext Context(bool secret_exists = true) {
  PodContext ctx;
  ctx.pod_ip = "127.0.0.9";
  ctx.node_name = "local";
  ctx.pod_dir = "/state/demo_fraud";
  ctx.sidecar_binary = "/build/sidecar/modelmonitor-sidecar";
  ctx.secret = [secret_exists](const std::string& name,
                               const std::string& key) -> Result<std::string> {
    if (secret_exists && name == "fraud-modelmonitor-tokens" && key == "label-token")
      return std::string("tok");
    return Error{"Secret demo/" + name + ": not found"};
  };
  ctx.config_map = ctx.secret;
  ctx.base_env = {"PATH=/usr/bin", "MM_STORE_DIR=/from/kubelet"};
  return ctx;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ContainerLaunchTest, SidecarRunsTheBuiltBinaryOnThePodAddress) {
  const json pod = InjectedPod();
  auto l = BuildLaunch(pod, pod["spec"]["initContainers"][0], Config(), Context());
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->argv,
            (std::vector<std::string>{"/build/sidecar/modelmonitor-sidecar", "--data-port=8081",
                                      "--admin-port=9090", "--upstream=127.0.0.9:8080",
                                      "--listen-address=127.0.0.9"}));
  EXPECT_TRUE(Has(l->env, "MM_LABEL_TOKEN=tok"));
  EXPECT_TRUE(Has(l->env, "MM_POD_NAME=fraud-7d9f"));
  EXPECT_TRUE(Has(l->env, "MM_POD_IP=127.0.0.9"));
  EXPECT_TRUE(Has(l->env, "PATH=/usr/bin"));
  // The container's env beats the kubelet's, and its emptyDir paths are host folders.
  EXPECT_TRUE(Has(l->env, "MM_STORE_DIR=/state/demo_fraud/volumes/mm-store"));
  EXPECT_FALSE(Has(l->env, "MM_STORE_DIR=/from/kubelet"));
  EXPECT_TRUE(Has(l->env, "TMPDIR=/state/demo_fraud/volumes/mm-tmp"));
  EXPECT_EQ(l->log_file, "/state/demo_fraud/logs/modelmonitor-sidecar.log");
}

TEST(ContainerLaunchTest, ModelImageRunsItsMappedCommandThenItsArgs) {
  const json pod = InjectedPod();
  auto l = BuildLaunch(pod, pod["spec"]["containers"][0], Config(), Context());
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->argv, (std::vector<std::string>{"python", "serve.py", "--host", "127.0.0.9",
                                               "--port", "8080", "--threshold", "0.5"}));
  EXPECT_EQ(l->working_dir, "/srv/v2");
  EXPECT_TRUE(Has(l->env, "MODEL_REVISION=v2"));
}

TEST(ContainerLaunchTest, MissingSecretOrMappingIsAnErrorThatSaysWhat) {
  const json pod = InjectedPod();
  auto no_secret = BuildLaunch(pod, pod["spec"]["initContainers"][0], Config(), Context(false));
  ASSERT_FALSE(no_secret.ok());
  EXPECT_NE(
      no_secret.error().message.find("env MM_LABEL_TOKEN: Secret demo/fraud-modelmonitor-tokens"),
      std::string::npos)
      << no_secret.error().message;
  auto unmapped = BuildLaunch(pod, pod["spec"]["containers"][0], KubeletConfig{}, Context());
  ASSERT_FALSE(unmapped.ok());
  EXPECT_NE(unmapped.error().message.find("no command for image \"modelmonitor/demo-model:v2\""),
            std::string::npos);
}

TEST(ContainerLaunchTest, PortsResolveByNameOrNumberAndTagsDefaultToLatest) {
  const json c = {{"ports", {{{"name", "http"}, {"containerPort", 8080}}}}};
  EXPECT_EQ(ResolvePort(c, "http"), 8080);
  EXPECT_EQ(ResolvePort(c, 9090), 9090);
  EXPECT_EQ(ResolvePort(c, "grpc"), std::nullopt);
  EXPECT_EQ(ImageTag("modelmonitor/demo-model:v1"), "v1");
  EXPECT_EQ(ImageTag("localhost:5000/demo-model"), "latest");
  EXPECT_EQ(ImageTag("localhost:5000/demo-model:v3@sha256:abc"), "v3");
}

}  // namespace
}  // namespace mm::dev
