#include "dev/local_kubelet/pod_volumes.h"

#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "dev/local_kubelet/container_launch.h"

namespace mm::dev {
namespace {

using nlohmann::json;

Status WriteFile(const std::string& folder, const std::string& path, const std::string& content) {
  if (path.empty() || path.find("..") != std::string::npos || path[0] == '/') {
    return Error{"volume item path \"" + path + "\" is not a relative path inside the volume"};
  }
  const std::filesystem::path file = std::filesystem::path(folder) / path;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) return Error{"cannot write " + file.string()};
  return OkStatus();
}

// A Secret's or ConfigMap's keys (decoded), limited to `items` when given.
Status WriteObject(kube::KubeClient& client, const std::string& ns, const std::string& resource,
                   const std::string& name, const json& items, bool optional,
                   const std::string& folder) {
  auto got = client.Get(kube::ResourcePath{"v1", resource, ns, name, "", {}}.Url());
  if (!got.ok()) {
    if (optional && got.status == 404) return OkStatus();
    return Error{(resource == "secrets" ? "Secret " : "ConfigMap ") + ns + "/" + name + ": " +
                 got.Message()};
  }
  std::map<std::string, std::string> data;
  const json object_data = got.body.value("data", json::object());
  for (const auto& [k, v] : object_data.items()) {
    if (!v.is_string()) continue;
    if (resource == "secrets") {
      auto decoded = Base64Decode(v.get<std::string>());
      if (!decoded) return Error{"Secret " + ns + "/" + name + " key " + k + ": not base64"};
      data[k] = *decoded;
    } else {
      data[k] = v.get<std::string>();
    }
  }
  if (items.is_array() && !items.empty()) {
    for (const auto& item : items) {
      const std::string key = item.value("key", "");
      if (!data.count(key)) return Error{name + " has no key \"" + key + "\""};
      if (auto s = WriteFile(folder, item.value("path", key), data[key]); !s) return s;
    }
    return OkStatus();
  }
  for (const auto& [k, v] : data) {
    if (auto s = WriteFile(folder, k, v); !s) return s;
  }
  return OkStatus();
}

Status WriteToken(kube::KubeClient& client, const json& pod, const json& source,
                  const std::string& folder) {
  const std::string ns = pod["metadata"].value("namespace", "");
  const std::string sa = pod["spec"].value("serviceAccountName", "default");
  json request = {{"apiVersion", "authentication.k8s.io/v1"},
                  {"kind", "TokenRequest"},
                  {"spec",
                   {{"expirationSeconds", source.value("expirationSeconds", 3607)},
                    {"boundObjectRef",
                     {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"name", pod["metadata"].value("name", "")},
                      {"uid", pod["metadata"].value("uid", "")}}}}}};
  if (source.contains("audience")) request["spec"]["audiences"] = {source["audience"]};
  auto r = client.Create(kube::ResourcePath{"v1", "serviceaccounts", ns, sa, "token", {}}.Url(),
                         request);
  if (!r.ok()) return Error{"service account token for " + ns + "/" + sa + ": " + r.Message()};
  return WriteFile(folder, source.value("path", "token"),
                   r.body["status"].value("token", std::string()));
}

Status WriteProjected(kube::KubeClient& client, const json& pod, const json& projected,
                      const std::string& folder) {
  const std::string ns = pod["metadata"].value("namespace", "");
  for (const auto& s : projected.value("sources", json::array())) {
    Status done = OkStatus();
    if (s.contains("secret")) {
      done = WriteObject(client, ns, "secrets", s["secret"].value("name", ""),
                         s["secret"].value("items", json()), s["secret"].value("optional", false),
                         folder);
    } else if (s.contains("configMap")) {
      done = WriteObject(client, ns, "configmaps", s["configMap"].value("name", ""),
                         s["configMap"].value("items", json()),
                         s["configMap"].value("optional", false), folder);
    } else if (s.contains("serviceAccountToken")) {
      done = WriteToken(client, pod, s["serviceAccountToken"], folder);
    } else if (s.contains("downwardAPI")) {
      for (const auto& item : s["downwardAPI"].value("items", json::array())) {
        const std::string field = item.value("fieldRef", json::object()).value("fieldPath", "");
        const std::string key = field.rfind("metadata.", 0) == 0 ? field.substr(9) : "";
        if (key != "name" && key != "namespace" && key != "uid") continue;
        done = WriteFile(folder, item.value("path", key), pod["metadata"].value(key, ""));
        if (!done) break;
      }
    }
    if (!done) return done;
  }
  return OkStatus();
}

}  // namespace

Status PopulateVolumes(kube::KubeClient& client, const json& pod, const std::string& pod_dir) {
  const auto folders = VolumeFolders(pod, pod_dir);
  const std::string ns = pod["metadata"].value("namespace", "");
  const json spec = pod.value("spec", json::object());
  for (const auto& v : spec.value("volumes", json::array())) {
    const std::string folder = folders.at(v.value("name", ""));
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return Error{"cannot create " + folder + ": " + ec.message()};
    Status done = OkStatus();
    if (v.contains("secret")) {
      done = WriteObject(client, ns, "secrets", v["secret"].value("secretName", ""),
                         v["secret"].value("items", json()), v["secret"].value("optional", false),
                         folder);
    } else if (v.contains("configMap")) {
      done = WriteObject(client, ns, "configmaps", v["configMap"].value("name", ""),
                         v["configMap"].value("items", json()),
                         v["configMap"].value("optional", false), folder);
    } else if (v.contains("projected")) {
      done = WriteProjected(client, pod, v["projected"], folder);
    }
    if (!done) return Error{"volume \"" + v.value("name", "") + "\": " + done.error().message};
  }
  return OkStatus();
}

}  // namespace mm::dev
