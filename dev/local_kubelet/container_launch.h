#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "dev/local_kubelet/kubelet_config.h"

namespace mm::dev {

// A local process to start for one container.
struct LaunchSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;       // empty: the kubelet's
  std::string log_file;          // stdout and stderr go here
};

// What the launch of one container needs to know about its pod on this host.
struct PodContext {
  std::string pod_ip;
  std::string node_name;
  std::string pod_dir;         // <state dir>/<namespace>_<name>_<uid prefix>
  std::string sidecar_binary;  // build/sidecar/modelmonitor-sidecar
  // Reads key `key` of Secret `name` in the pod's namespace (decoded), or an error.
  std::function<Result<std::string>(const std::string& name, const std::string& key)> secret;
  // The same for ConfigMaps.
  std::function<Result<std::string>(const std::string& name, const std::string& key)> config_map;
  std::vector<std::string> base_env;  // inherited by every container (PATH, HOME...)
};

// The host folder that stands in for each volume of the pod:
// <pod_dir>/volumes/<volume name> (PopulateVolumes fills them).
std::map<std::string, std::string> VolumeFolders(const nlohmann::json& pod,
                                                 const std::string& pod_dir);

// Turns one container of `pod` into a local command:
// - the sidecar image runs ctx.sidecar_binary with the container's args, bound to
//   the pod IP (--listen-address) and forwarding to the model on the pod IP, which
//   is what 127.0.0.1 means inside a pod;
// - any other image runs the command `config` maps it to, then the container's args;
// - env: ctx.base_env, then the container's env (value, secretKeyRef,
//   configMapKeyRef, fieldRef metadata.name/namespace/uid, status.podIP,
//   spec.nodeName), then the mapping's env;
// - paths under a volume's mountPath (in env values and args) are rewritten to the
//   volume's host folder; a volume mounted at /tmp also sets TMPDIR.
// An error says what is missing (e.g. the Secret), so the pod can report it and retry.
Result<LaunchSpec> BuildLaunch(const nlohmann::json& pod, const nlohmann::json& container,
                               const KubeletConfig& config, const PodContext& ctx);

// "v2" for "modelmonitor/demo-model:v2"; "latest" when the image has no tag.
std::string ImageTag(const std::string& image);

// The container's port `port` (a number, or the name of one of its ports).
std::optional<int> ResolvePort(const nlohmann::json& container, const nlohmann::json& port);

}  // namespace mm::dev
