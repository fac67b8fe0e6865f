#include "common/kube/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/base64.h"

namespace mm::kube {
namespace {

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path.string()};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Finds the entry of a kubeconfig list (clusters, users, contexts) called name.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return item;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// Reads `<key>-data` (base64) or `<key>` (a file, relative to the kubeconfig's folder).
Result<std::string> DataOrFile(const YAML::Node& node, const std::string& key,
                               const std::filesystem::path& base, const std::string& where) {
  if (node[key + "-data"]) {
    auto decoded = Base64Decode(node[key + "-data"].as<std::string>());
    if (!decoded) return Error{where + "." + key + "-data: not valid base64"};
    return decoded.value();
  }
  if (node[key]) {
    std::filesystem::path file = node[key].as<std::string>();
    if (file.is_relative()) file = base / file;
    return ReadFile(file);
  }
  return std::string();
}

}  // namespace

Result<ClusterConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Error{"kubeconfig " + path + ": " + e.what()};
  }
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::string ctx_name = context;
  if (ctx_name.empty() && root["current-context"])
    ctx_name = root["current-context"].as<std::string>();
  if (ctx_name.empty()) return Error{"kubeconfig " + path + ": no current-context and none given"};
  YAML::Node ctx = FindNamed(root["contexts"], ctx_name);
  if (!ctx) return Error{"kubeconfig " + path + ": context \"" + ctx_name + "\" not found"};
  const std::string cluster_name = ctx["context"]["cluster"].as<std::string>("");
  const std::string user_name = ctx["context"]["user"].as<std::string>("");
  YAML::Node cluster = FindNamed(root["clusters"], cluster_name)["cluster"];
  if (!cluster) return Error{"kubeconfig " + path + ": cluster \"" + cluster_name + "\" not found"};
  ClusterConfig cfg;
  cfg.server = cluster["server"].as<std::string>("");
  if (cfg.server.empty())
    return Error{"kubeconfig " + path + ": cluster \"" + cluster_name + "\" has no server"};
  cfg.insecure_skip_tls_verify = cluster["insecure-skip-tls-verify"].as<bool>(false);
  auto ca = DataOrFile(cluster, "certificate-authority", base, "clusters[" + cluster_name + "]");
  if (!ca) return ca.error();
  cfg.ca_pem = ca.value();
  if (ctx["context"]["namespace"]) cfg.ns = ctx["context"]["namespace"].as<std::string>();
  if (!user_name.empty()) {
    YAML::Node user = FindNamed(root["users"], user_name)["user"];
    if (!user) return Error{"kubeconfig " + path + ": user \"" + user_name + "\" not found"};
    const std::string where = "users[" + user_name + "]";
    auto cert = DataOrFile(user, "client-certificate", base, where);
    if (!cert) return cert.error();
    auto key = DataOrFile(user, "client-key", base, where);
    if (!key) return key.error();
    cfg.client_cert_pem = cert.value();
    cfg.client_key_pem = key.value();
    cfg.token = user["token"].as<std::string>("");
    if (user["tokenFile"]) cfg.token_file = user["tokenFile"].as<std::string>();
  }
  return cfg;
}

Result<ClusterConfig> InClusterConfig(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port) return Error{"not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set"};
  ClusterConfig cfg;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  cfg.server = "https://" + h + ":" + port;
  auto ca = ReadFile(sa_dir + "/ca.crt");
  if (!ca) return ca.error();
  cfg.ca_pem = ca.value();
  cfg.token_file = sa_dir + "/token";
  if (auto ns = ReadFile(sa_dir + "/namespace")) cfg.ns = ns.value();
  return cfg;
}

Result<ClusterConfig> ResolveClusterConfig(const std::string& path) {
  if (!path.empty()) return LoadKubeconfig(path);
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first);
  }
  if (std::getenv("KUBERNETES_SERVICE_HOST")) return InClusterConfig();
  if (const char* home = std::getenv("HOME"))
    return LoadKubeconfig(std::string(home) + "/.kube/config");
  return Error{"no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a cluster"};
}

}  // namespace mm::kube
