#include "operator/webhook/sidecar_patch.h"

#include "common/api/monitor_config_map.h"
#include "common/api/monitor_tokens.h"
#include "common/api/sidecar_monitor_config.h"
#include "common/kube/json_patch.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/port_takeover.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it != obj.end() ? *it : kNull;
}

json SecurityContext(const SidecarDefaults& d) {
  return {{"runAsNonRoot", true},
          {"runAsUser", d.run_as_user},
          {"runAsGroup", d.run_as_user},
          {"readOnlyRootFilesystem", true},
          {"allowPrivilegeEscalation", false},
          {"capabilities", {{"drop", json::array({"ALL"})}}},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

json FieldEnv(const char* name, const char* path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", path}}}}}};
}

// A token from the monitor's token Secret (common/api/monitor_tokens.h), which
// the reconciler creates: the pod spec names the Secret, never holds the token.
json TokenEnv(std::string_view name, const std::string& secret, std::string_view key) {
  return {{"name", std::string(name)},
          {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", std::string(key)}}}}}};
}

// Probes and lifecycle handlers of the model container that name the port the
// sidecar takes: they must follow the model's port to its new name, or the
// kubelet would probe a name the container no longer has.
void RewriteNamedPortReferences(const json& container, const std::string& base,
                                const PortTakeover& t, json& ops) {
  auto rewrite = [&](const json& handler, const std::string& path) {
    for (const char* kind : {"httpGet", "tcpSocket"}) {
      const json& port = Field(Field(handler, kind), "port");
      if (port.is_string() && port.get<std::string>() == t.original_name) {
        ops.push_back(kube::ReplaceOp(path + "/" + kind + "/port", t.renamed_to));
      }
    }
  };
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    rewrite(Field(container, probe), base + "/" + probe);
  }
  for (const char* hook : {"postStart", "preStop"}) {
    rewrite(Field(Field(container, "lifecycle"), hook), base + "/lifecycle/" + hook);
  }
}

}  // namespace

Result<SidecarPatch> BuildSidecarPatch(const json& pod, const api::ParsedMonitor& monitor,
                                       const SidecarDefaults& defaults) {
  const json& spec = Field(pod, "spec");
  if (!spec.is_object()) return Error{"the pod has no spec"};
  if (!Field(pod, "metadata").is_object()) return Error{"the pod has no metadata"};
  const json& annotations = Field(Field(pod, "metadata"), "annotations");

  const std::string config_volume(api::kSidecarConfigVolume);
  for (const std::string volume : {kStoreVolumeName, kTmpVolumeName, config_volume.c_str()}) {
    const json& volumes = Field(spec, "volumes");
    if (!volumes.is_array()) continue;
    for (const auto& v : volumes) {
      if (Field(v, "name") == volume) {
        return Error{"the pod already has a volume named \"" + volume +
                     "\"; rename it to let the sidecar in"};
      }
    }
  }

  auto takeover = PlanPortTakeover(spec, monitor.monitor->spec.serving.port);
  if (!takeover) return takeover.error();
  const PortTakeover& t = takeover.value();

  const std::string config = api::SidecarConfigText(*monitor.monitor);
  if (config.size() > defaults.max_config_bytes) {
    return Error{"the monitor's sidecar config is " + std::to_string(config.size()) +
                 " bytes, over the limit of " + std::to_string(defaults.max_config_bytes)};
  }

  SidecarPatch out;
  out.model_container = t.container_name;
  out.taken_port_name = t.original_name;
  if (!t.warning.empty()) out.warnings.push_back(t.warning);
  json& ops = out.operations;

  // 1. The record that makes injection idempotent.
  const std::string injected = monitor.meta.name + "@" + defaults.version;
  if (annotations.is_object()) {
    ops.push_back(kube::AddOp(
        "/metadata/annotations/" + kube::EscapeJsonPointerToken(kInjectedAnnotation), injected));
  } else {
    ops.push_back(kube::AddOp("/metadata/annotations", {{kInjectedAnnotation, injected}}));
  }

  // 2. Port takeover: the model's port gets a new name; its probes follow it.
  std::set<int> used = PortNumbersInUse(spec);
  if (!t.renamed_to.empty() && t.port_index) {
    const std::string container = "/spec/containers/" + std::to_string(t.container_index);
    ops.push_back(kube::ReplaceOp(container + "/ports/" + std::to_string(*t.port_index) + "/name",
                                  t.renamed_to));
    RewriteNamedPortReferences(spec["containers"][t.container_index], container, t, ops);
  }
  used.insert(t.model_port);
  const int data_port = FreePort(defaults.data_port, used);
  used.insert(data_port);
  const int admin_port = FreePort(defaults.admin_port, used);
  if (data_port == 0 || admin_port == 0) return Error{"the pod uses every port number"};

  // 3. Volumes: the prediction store, a small /tmp (the root filesystem is
  //    read-only), and the monitor's ConfigMap, which the reconciler keeps and the
  //    kubelet refreshes while the pod runs. `optional`: the webhook must not create
  //    it (sideEffects: None), so a pod admitted before the reconciler has written
  //    it starts with an empty folder and MM_MONITOR_CONFIG, and the file appears
  //    at the kubelet's next sync.
  const json volumes = {
      {{"name", kStoreVolumeName}, {"emptyDir", {{"sizeLimit", defaults.store_size_limit}}}},
      {{"name", kTmpVolumeName}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "16Mi"}}}},
      {{"name", config_volume},
       {"configMap",
        {{"name", api::SidecarConfigMapName(monitor.meta.name)}, {"optional", true}}}}};
  if (Field(spec, "volumes").is_array()) {
    for (const auto& v : volumes) ops.push_back(kube::AddOp("/spec/volumes/-", v));
  } else {
    ops.push_back(kube::AddOp("/spec/volumes", volumes));
  }

  // 4. The sidecar, a native sidecar: an init container that keeps running
  //    (restartPolicy: Always), starts before the model and does not keep Jobs alive.
  const std::string& spec_image = monitor.monitor->spec.sidecar.image;
  auto resources = ResolveSidecarResources(
      defaults.resources, api::ToJson(monitor.monitor->spec.sidecar.resources), annotations);
  for (auto& w : resources.warnings) out.warnings.push_back(std::move(w));
  const std::string data_port_name = t.original_name.empty() ? "mm-data" : t.original_name;
  json sidecar = {
      {"name", kSidecarContainerName},
      {"image", spec_image.empty() ? defaults.image : spec_image},
      {"imagePullPolicy", defaults.image_pull_policy},
      {"restartPolicy", "Always"},
      {"args",
       {"--data-port=" + std::to_string(data_port), "--admin-port=" + std::to_string(admin_port),
        "--upstream=127.0.0.1:" + std::to_string(t.model_port),
        // The mounted ConfigMap, read again every 2 s; MM_MONITOR_CONFIG while it is absent.
        "--config=" + api::SidecarConfigFile()}},
      {"env",
       {{{"name", kConfigEnv}, {"value", config}},
        {{"name", "MM_STORE_DIR"}, {"value", kStoreMountPath}},
        {{"name", "MM_MODEL_CONTAINER"}, {"value", t.container_name}},
        FieldEnv("MM_POD_NAME", "metadata.name"),
        FieldEnv("MM_POD_NAMESPACE", "metadata.namespace"),
        FieldEnv("MM_POD_IP", "status.podIP"),
        TokenEnv(api::kLabelTokenEnv, api::TokenSecretName(monitor.meta.name), api::kLabelTokenKey),
        TokenEnv(api::kAdminTokenEnv, api::TokenSecretName(monitor.meta.name),
                 api::kAdminTokenKey)}},
      {"ports",
       {{{"name", data_port_name}, {"containerPort", data_port}, {"protocol", "TCP"}},
        {{"name", "mm-admin"}, {"containerPort", admin_port}, {"protocol", "TCP"}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", admin_port}}}, {"periodSeconds", 5}}},
      {"resources", resources.requirements},
      {"securityContext", SecurityContext(defaults)},
      {"volumeMounts",
       {{{"name", kStoreVolumeName}, {"mountPath", kStoreMountPath}},
        {{"name", kTmpVolumeName}, {"mountPath", "/tmp"}},
        {{"name", config_volume},
         {"mountPath", std::string(api::kSidecarConfigMountPath)},
         {"readOnly", true}}}},
  };
  if (Field(spec, "initContainers").is_array()) {
    ops.push_back(kube::AddOp("/spec/initContainers/-", std::move(sidecar)));
  } else {
    ops.push_back(kube::AddOp("/spec/initContainers", json::array({std::move(sidecar)})));
  }

  // 5. The sidecar samples the model process's /proc; a pod on the host's PID
  //    namespace already shares it (and the API server rejects both together).
  if (Field(spec, "hostPID") != true)
    ops.push_back(kube::AddOp("/spec/shareProcessNamespace", true));
  return out;
}

}  // namespace mm::webhook
