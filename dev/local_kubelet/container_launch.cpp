#include "dev/local_kubelet/container_launch.h"

namespace mm::dev {
namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& Arr(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

// `value` with a leading mount path replaced by its host folder.
std::string RewriteMountPaths(const std::string& value,
                              const std::vector<std::pair<std::string, std::string>>& mounts) {
  for (const auto& [mount_path, host] : mounts) {
    if (value == mount_path) return host;
    if (value.rfind(mount_path + "/", 0) == 0) return host + value.substr(mount_path.size());
    // --flag=/mount/path...
    const size_t eq = value.find('=');
    if (eq != std::string::npos && value.rfind("--", 0) == 0) {
      const std::string rest = value.substr(eq + 1);
      if (rest == mount_path || rest.rfind(mount_path + "/", 0) == 0) {
        return value.substr(0, eq + 1) + host + rest.substr(mount_path.size());
      }
    }
  }
  return value;
}

Result<std::string> FieldRef(const json& pod, const std::string& path, const PodContext& ctx) {
  const json& meta = pod.value("metadata", json::object());
  if (path == "metadata.name") return Str(meta, "name");
  if (path == "metadata.namespace") return Str(meta, "namespace");
  if (path == "metadata.uid") return Str(meta, "uid");
  if (path == "status.podIP") return ctx.pod_ip;
  if (path == "spec.nodeName") return ctx.node_name;
  if (path == "status.hostIP") return std::string("127.0.0.1");
  return Error{"fieldRef " + path +
               " is not supported by the local kubelet (metadata.name, metadata.namespace, "
               "metadata.uid, status.podIP, status.hostIP, spec.nodeName are)"};
}

Result<std::string> EnvValue(const json& pod, const json& var, const PodContext& ctx) {
  if (var.contains("value")) return Str(var, "value");
  if (!var.contains("valueFrom")) return std::string();
  const json& from = var["valueFrom"];
  const std::string name = Str(var, "name");
  for (const auto& [kind, lookup] :
       {std::pair{"secretKeyRef", &ctx.secret}, std::pair{"configMapKeyRef", &ctx.config_map}}) {
    if (!from.contains(kind)) continue;
    const json& ref = from[kind];
    auto v = (*lookup)(Str(ref, "name"), Str(ref, "key"));
    if (!v) {
      if (ref.value("optional", false)) return std::string();
      return Error{"env " + name + ": " + v.error().message};
    }
    return v;
  }
  if (from.contains("fieldRef")) return FieldRef(pod, Str(from["fieldRef"], "fieldPath"), ctx);
  return Error{"env " + name + ": valueFrom " + from.dump() +
               " is not supported (value, secretKeyRef, configMapKeyRef and fieldRef are)"};
}

}  // namespace

std::string ImageTag(const std::string& image) {
  const std::string ref = image.substr(0, image.find('@'));
  const size_t colon = ref.rfind(':');
  const size_t slash = ref.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "latest";
  return ref.substr(colon + 1);
}

std::map<std::string, std::string> VolumeFolders(const json& pod, const std::string& pod_dir) {
  std::map<std::string, std::string> out;
  const json spec = pod.value("spec", json::object());
  for (const auto& v : Arr(spec, "volumes")) {
    out[Str(v, "name")] = pod_dir + "/volumes/" + Str(v, "name");
  }
  return out;
}

std::optional<int> ResolvePort(const json& container, const json& port) {
  if (port.is_number_integer()) return port.get<int>();
  if (!port.is_string()) return std::nullopt;
  const std::string name = port.get<std::string>();
  for (const auto& p : Arr(container, "ports")) {
    if (Str(p, "name") == name && p.contains("containerPort")) return p["containerPort"].get<int>();
  }
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoi(name);
  }
  return std::nullopt;
}

Result<LaunchSpec> BuildLaunch(const json& pod, const json& container, const KubeletConfig& config,
                               const PodContext& ctx) {
  const std::string name = Str(container, "name");
  const std::string image = Str(container, "image");
  const json& meta = pod.value("metadata", json::object());

  // Volume mounts: each volume is a folder of the pod.
  const auto folders = VolumeFolders(pod, ctx.pod_dir);
  std::vector<std::pair<std::string, std::string>> mounts;
  for (const auto& m : Arr(container, "volumeMounts")) {
    const auto it = folders.find(Str(m, "name"));
    if (it == folders.end()) {
      return Error{"volumeMounts: \"" + Str(m, "name") + "\" is not a volume of the pod"};
    }
    std::string path = Str(m, "mountPath");
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    mounts.emplace_back(path, it->second);
  }

  LaunchSpec spec;
  spec.log_file = ctx.pod_dir + "/logs/" + name + ".log";
  std::map<std::string, std::string> vars = {{"POD_IP", ctx.pod_ip},
                                             {"POD_NAME", Str(meta, "name")},
                                             {"POD_NAMESPACE", Str(meta, "namespace")},
                                             {"CONTAINER_NAME", name},
                                             {"IMAGE", image},
                                             {"IMAGE_TAG", ImageTag(image)}};
  const json& ports = Arr(container, "ports");
  if (!ports.empty() && ports[0].contains("containerPort")) {
    vars["PORT"] = std::to_string(ports[0]["containerPort"].get<int>());
  }

  const ImageCommand* mapped = nullptr;
  const bool sidecar = config.IsSidecarImage(image);
  if (sidecar) {
    if (ctx.sidecar_binary.empty()) return Error{"no sidecar binary configured (--sidecar)"};
    spec.argv.push_back(ctx.sidecar_binary);
  } else {
    mapped = config.CommandFor(image);
    if (mapped == nullptr) {
      return Error{"no command for image \"" + image +
                   "\": map it under `images:` in the local kubelet config"};
    }
    for (const auto& part : mapped->command) {
      auto expanded = ExpandVariables(part, vars);
      if (!expanded)
        return Error{"images[" + mapped->image + "].command: " + expanded.error().message};
      spec.argv.push_back(*expanded);
    }
    auto wd = ExpandVariables(mapped->working_dir, vars);
    if (!wd) return Error{"images[" + mapped->image + "].workingDir: " + wd.error().message};
    spec.working_dir = *wd;
  }
  for (const auto& a : Arr(container, "args")) {
    if (!a.is_string()) continue;
    std::string arg = RewriteMountPaths(a.get<std::string>(), mounts);
    if (sidecar) {
      // Inside a pod 127.0.0.1 is the pod's own loopback; here the pod's address is its IP.
      for (const std::string local : {"--upstream=127.0.0.1:", "--upstream=localhost:"}) {
        if (arg.rfind(local, 0) == 0)
          arg = "--upstream=" + ctx.pod_ip + ":" + arg.substr(local.size());
      }
    }
    spec.argv.push_back(arg);
  }
  if (sidecar) spec.argv.push_back("--listen-address=" + ctx.pod_ip);

  std::map<std::string, std::string> env;
  std::vector<std::string> order;
  auto set = [&](const std::string& k, const std::string& v) {
    if (!env.count(k)) order.push_back(k);
    env[k] = v;
  };
  for (const auto& kv : ctx.base_env) {
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& var : Arr(container, "env")) {
    auto v = EnvValue(pod, var, ctx);
    if (!v) return v.error();
    set(Str(var, "name"), RewriteMountPaths(*v, mounts));
  }
  if (mapped != nullptr) {
    for (const auto& [k, v] : mapped->env) {
      auto expanded = ExpandVariables(v, vars);
      if (!expanded)
        return Error{"images[" + mapped->image + "].env." + k + ": " + expanded.error().message};
      set(k, *expanded);
    }
  }
  for (const auto& [mount_path, host] : mounts) {
    if (mount_path == "/tmp") set("TMPDIR", host);
  }
  set("POD_IP", ctx.pod_ip);
  for (const auto& k : order) spec.env.push_back(k + "=" + env[k]);
  return spec;
}

}  // namespace mm::dev
