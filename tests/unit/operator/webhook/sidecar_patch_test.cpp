#include "operator/webhook/sidecar_patch.h"

#include <gtest/gtest.h>

#include <map>

#include "common/api/sidecar_monitor_config.h"
#include "operator/webhook/annotations.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;
using testing::ModelPod;
using testing::Monitor;

// Applies the patch the way the API server does (RFC 6902) and returns the pod.
json Injected(const json& pod, const api::ParsedMonitor& m = Monitor(), SidecarDefaults d = {}) {
  auto patch = BuildSidecarPatch(pod, m, d);
  EXPECT_TRUE(patch.ok()) << (patch.ok() ? "" : patch.error().message);
  return patch.ok() ? pod.patch(patch->operations) : json();
}

const json& Sidecar(const json& pod) { return pod["spec"]["initContainers"].back(); }

TEST(SidecarPatch, AddsANativeSidecarThatTakesOverTheNamedPort) {
  const json pod = Injected(ModelPod());
  const json& s = Sidecar(pod);
  EXPECT_EQ(s["name"], kSidecarContainerName);
  EXPECT_EQ(s["restartPolicy"], "Always");
  // The model keeps its number under a new name; the sidecar takes the name.
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0],
            json({{"name", "http-model"}, {"containerPort", 8000}, {"protocol", "TCP"}}));
  EXPECT_EQ(s["ports"][0], json({{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}));
  EXPECT_EQ(s["ports"][1]["name"], "mm-admin");
  EXPECT_EQ(s["args"], json({"--data-port=8080", "--admin-port=9090", "--upstream=127.0.0.1:8000",
                             "--config=/etc/modelmonitor/monitor.json"}));
  // The model's probe by name follows the renamed port; the numeric one is untouched.
  EXPECT_EQ(pod["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"], "http-model");
  EXPECT_EQ(pod["spec"]["containers"][0]["livenessProbe"]["tcpSocket"]["port"], 8000);
  EXPECT_EQ(pod["metadata"]["annotations"][kInjectedAnnotation],
            std::string("fraud@") + MM_VERSION);
  EXPECT_EQ(pod["spec"]["shareProcessNamespace"], true);
}

TEST(SidecarPatch, SidecarIsLockedDown) {
  const json sc = Sidecar(Injected(ModelPod()))["securityContext"];
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
}

TEST(SidecarPatch, MountsTheStoreAndPassesTheMonitorConfig) {
  const json pod = Injected(ModelPod());
  const json& s = Sidecar(pod);
  EXPECT_EQ(pod["spec"]["volumes"][0]["name"], kStoreVolumeName);
  EXPECT_EQ(pod["spec"]["volumes"][0]["emptyDir"]["sizeLimit"], "1Gi");
  EXPECT_EQ(s["volumeMounts"][0],
            json({{"name", kStoreVolumeName}, {"mountPath", kStoreMountPath}}));
  json config;
  for (const auto& e : s["env"]) {
    if (e["name"] == kConfigEnv) config = json::parse(e["value"].get<std::string>());
  }
  EXPECT_EQ(config["monitor"]["name"], "fraud");
  EXPECT_EQ(config["monitor"]["generation"], 3);
  EXPECT_EQ(config["serving"]["protocol"], "json");
}

// The monitor's ConfigMap, which the reconciler keeps: mounted read-only, optional
// (the webhook creates nothing, sideEffects: None), and given to the sidecar as
// --config; MM_MONITOR_CONFIG stays as the start-up config while the file is absent.
TEST(SidecarPatch, MountsTheMonitorsConfigMapAndPassesItAsTheConfigFile) {
  const api::ParsedMonitor m = Monitor();
  const json pod = Injected(ModelPod(), m);
  const json& s = Sidecar(pod);
  const json& volumes = pod["spec"]["volumes"];
  ASSERT_EQ(volumes.size(), 3u);
  EXPECT_EQ(volumes[2],
            json({{"name", "modelmonitor-config"},
                  {"configMap", {{"name", "fraud-modelmonitor-config"}, {"optional", true}}}}));
  EXPECT_EQ(s["volumeMounts"][2], json({{"name", "modelmonitor-config"},
                                        {"mountPath", "/etc/modelmonitor"},
                                        {"readOnly", true}}));
  EXPECT_EQ(s["args"].back(), "--config=/etc/modelmonitor/monitor.json");
  std::string env_config;
  for (const auto& e : s["env"]) {
    if (e["name"] == kConfigEnv) env_config = e["value"];
  }
  // The same bytes the reconciler writes into the ConfigMap.
  EXPECT_EQ(env_config, api::SidecarConfigText(*m.monitor));
}

TEST(SidecarPatch, RefusesAPodThatHasAVolumeNamedLikeTheConfigVolume) {
  json pod = ModelPod();
  pod["spec"]["volumes"] = {{{"name", "modelmonitor-config"}, {"emptyDir", json::object()}}};
  auto patch = BuildSidecarPatch(pod, Monitor(), {});
  ASSERT_FALSE(patch.ok());
  EXPECT_NE(patch.error().message.find("\"modelmonitor-config\""), std::string::npos)
      << patch.error().message;
}

TEST(SidecarPatch, TokensComeFromTheMonitorsSecretAndTheStoreDirFromItsVolume) {
  const json pod = Injected(ModelPod());
  const json& s = Sidecar(pod);
  std::map<std::string, json> env;
  for (const auto& e : s["env"]) env[e["name"]] = e;
  for (const auto& [name, key] :
       {std::pair{"MM_LABEL_TOKEN", "label-token"}, std::pair{"MM_ADMIN_TOKEN", "admin-token"}}) {
    ASSERT_TRUE(env.count(name)) << name;
    EXPECT_FALSE(env[name].contains("value")) << "a token never appears in the pod spec";
    EXPECT_EQ(env[name]["valueFrom"]["secretKeyRef"],
              json({{"name", "fraud-modelmonitor-tokens"}, {"key", key}}));
  }
  EXPECT_EQ(env["MM_STORE_DIR"]["value"], kStoreMountPath);
}

TEST(SidecarPatch, ImageAndResourcesFromMonitorThenAnnotations) {
  json pod = ModelPod();
  pod["metadata"]["annotations"] = {{"modelmonitor.io/sidecar-cpu", "200m"},
                                    {"modelmonitor.io/sidecar-memory-limit", "512Mi"}};
  const api::ParsedMonitor m = Monitor("fraud", {{"matchLabels", {{"app", "fraud"}}}},
                                       {{"sidecar",
                                         {{"image", "registry.local/mm-sidecar:1.2"},
                                          {"resources", {{"requests", {{"memory", "100Mi"}}}}},
                                          {"sampleRate", 0.5}}}});
  const json injected = Injected(pod, m);
  const json& s = Sidecar(injected);
  EXPECT_EQ(s["image"], "registry.local/mm-sidecar:1.2");
  EXPECT_EQ(s["resources"]["requests"]["cpu"], "200m");      // annotation
  EXPECT_EQ(s["resources"]["requests"]["memory"], "100Mi");  // monitor
  EXPECT_EQ(s["resources"]["limits"]["cpu"], "1");           // operator default
  EXPECT_EQ(s["resources"]["limits"]["memory"], "512Mi");    // annotation
  // Existing annotations are kept, the injected one is added beside them.
  EXPECT_EQ(injected["metadata"]["annotations"]["modelmonitor.io/sidecar-cpu"], "200m");
  EXPECT_TRUE(injected["metadata"]["annotations"].contains(kInjectedAnnotation));
}

TEST(SidecarPatch, AppendsToExistingInitContainersAndVolumes) {
  json pod = ModelPod();
  pod["spec"]["initContainers"] = {{{"name", "migrate"}, {"image", "m"}}};
  pod["spec"]["volumes"] = {{{"name", "data"}, {"emptyDir", json::object()}}};
  const json injected = Injected(pod);
  ASSERT_EQ(injected["spec"]["initContainers"].size(), 2u);
  EXPECT_EQ(injected["spec"]["initContainers"][0]["name"], "migrate");
  EXPECT_EQ(injected["spec"]["volumes"].size(), 4u);
  EXPECT_EQ(injected["spec"]["volumes"][0]["name"], "data");
}

TEST(SidecarPatch, PicksFreePortsWhenThePodUsesTheDefaults) {
  json pod = ModelPod();
  pod["spec"]["containers"][0]["ports"] =
      json::array({{{"name", "http"}, {"containerPort", 8080}},
                   {{"name", "metrics"}, {"containerPort", 9090}}});
  const json injected = Injected(pod);
  const json& s = Sidecar(injected);
  EXPECT_EQ(s["ports"][0]["containerPort"], 8081);
  EXPECT_EQ(s["ports"][1]["containerPort"], 9091);
  EXPECT_EQ(s["args"][2], "--upstream=127.0.0.1:8080");
}

TEST(SidecarPatch, ServingPortByNumberAndUnnamedPort) {
  json pod = ModelPod();
  pod["spec"]["containers"][0]["ports"] = json::array({{{"containerPort", 5000}}});
  const api::ParsedMonitor m =
      Monitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, {{"serving", {{"port", 5000}}}});
  auto patch = BuildSidecarPatch(pod, m, {});
  ASSERT_TRUE(patch.ok()) << patch.error().message;
  ASSERT_EQ(patch->warnings.size(), 1u);
  EXPECT_NE(patch->warnings[0].find("has no name"), std::string::npos);
  const json injected = pod.patch(patch->operations);
  EXPECT_EQ(Sidecar(injected)["ports"][0]["name"], "mm-data");
  EXPECT_EQ(injected["spec"]["containers"][0]["ports"][0], json({{"containerPort", 5000}}));
}

TEST(SidecarPatch, RefusesWhenTheNamedPortIsMissingOrAVolumeNameIsTaken) {
  const api::ParsedMonitor m =
      Monitor("fraud", {{"matchLabels", {{"app", "fraud"}}}}, {{"serving", {{"port", "grpc"}}}});
  auto missing = BuildSidecarPatch(ModelPod(), m, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "spec.serving.port \"grpc\" names no port of the pod's containers (ports: model:8000 "
            "\"http\")");
  json pod = ModelPod();
  pod["spec"]["volumes"] = json::array({{{"name", kStoreVolumeName}}});
  auto taken = BuildSidecarPatch(pod, Monitor(), {});
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("already has a volume"), std::string::npos);
}

TEST(SidecarPatch, HostPidPodsDoNotGetShareProcessNamespace) {
  json pod = ModelPod();
  pod["spec"]["hostPID"] = true;
  EXPECT_FALSE(Injected(pod)["spec"].contains("shareProcessNamespace"));
}

TEST(SidecarPatch, AnnotationKeysAreEscapedInPaths) {
  json pod = ModelPod();
  pod["metadata"]["annotations"] = {{"a", "b"}};
  auto patch = BuildSidecarPatch(pod, Monitor(), {});
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(patch->operations[0]["path"], "/metadata/annotations/modelmonitor.io~1injected");
}

TEST(SidecarPatch, OversizedConfigIsRefused) {
  SidecarDefaults d;
  d.max_config_bytes = 10;
  auto r = BuildSidecarPatch(ModelPod(), Monitor(), d);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("over the limit of 10"), std::string::npos);
}

}  // namespace
}  // namespace mm::webhook
