#include "dev/local_kubelet/pod_volumes.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "dev/local_kubelet/container_launch.h"

namespace mm::dev {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kData[] = "..data";
constexpr char kDataTmp[] = "..data_tmp";

Status CheckPath(const std::string& path) {
  if (path.empty() || path.find("..") != std::string::npos || path[0] == '/') {
    return Error{"volume item path \"" + path + "\" is not a relative path inside the volume"};
  }
  return OkStatus();
}

// The top-level name of a path inside the volume: "a/b" -> "a".
std::string TopLevel(const std::string& path) { return path.substr(0, path.find('/')); }

// The files under `dir` (recursively), by path relative to it.
VolumePayload ReadTree(const fs::path& dir) {
  VolumePayload out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out[fs::relative(it->path(), dir, ec).string()] = text.str();
  }
  return out;
}

// "..2026_11_30_08_09_37.123456789", the kubelet's name for one version of a volume.
std::string VersionName() {
  const auto now = std::chrono::system_clock::now();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "..%Y_%m_%d_%H_%M_%S", &utc);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%09lld",
                static_cast<long long>(ns.count() % 1000000000));
  return std::string(stamp) + fraction;
}

// A Secret's or ConfigMap's keys (decoded), limited to `items` when given. An
// optional object that does not exist has no files.
Result<VolumePayload> ObjectPayload(kube::KubeClient& client, const std::string& ns,
                                    const std::string& resource, const std::string& name,
                                    const json& items, bool optional) {
  auto got = client.Get(kube::ResourcePath{"v1", resource, ns, name, "", {}}.Url());
  if (!got.ok()) {
    if (optional && got.status == 404) return VolumePayload{};
    return Error{(resource == "secrets" ? "Secret " : "ConfigMap ") + ns + "/" + name + ": " +
                 got.Message()};
  }
  VolumePayload data;
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
  VolumePayload out;
  if (items.is_array() && !items.empty()) {
    for (const auto& item : items) {
      const std::string key = item.value("key", "");
      if (!data.count(key)) {
        if (optional) continue;
        return Error{name + " has no key \"" + key + "\""};
      }
      out[item.value("path", key)] = data[key];
    }
    return out;
  }
  return data;
}

Result<std::string> Token(kube::KubeClient& client, const json& pod, const json& source) {
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
  return r.body["status"].value("token", std::string());
}

Result<VolumePayload> ProjectedPayload(kube::KubeClient& client, const json& pod,
                                       const json& projected) {
  const std::string ns = pod["metadata"].value("namespace", "");
  VolumePayload out;
  for (const auto& s : projected.value("sources", json::array())) {
    if (s.contains("secret") || s.contains("configMap")) {
      const bool secret = s.contains("secret");
      const json& ref = secret ? s["secret"] : s["configMap"];
      auto part =
          ObjectPayload(client, ns, secret ? "secrets" : "configmaps", ref.value("name", ""),
                        ref.value("items", json()), ref.value("optional", false));
      if (!part) return part.error();
      out.insert(part->begin(), part->end());
    } else if (s.contains("serviceAccountToken")) {
      auto token = Token(client, pod, s["serviceAccountToken"]);
      if (!token) return token.error();
      out[s["serviceAccountToken"].value("path", "token")] = *token;
    } else if (s.contains("downwardAPI")) {
      for (const auto& item : s["downwardAPI"].value("items", json::array())) {
        const std::string field = item.value("fieldRef", json::object()).value("fieldPath", "");
        const std::string key = field.rfind("metadata.", 0) == 0 ? field.substr(9) : "";
        if (key != "name" && key != "namespace" && key != "uid") continue;
        out[item.value("path", key)] = pod["metadata"].value(key, "");
      }
    }
  }
  return out;
}

// The payload of a secret or configMap volume; nullopt for other kinds.
std::optional<Result<VolumePayload>> ObjectVolumePayload(kube::KubeClient& client,
                                                         const std::string& ns, const json& v) {
  if (v.contains("secret")) {
    return ObjectPayload(client, ns, "secrets", v["secret"].value("secretName", ""),
                         v["secret"].value("items", json()), v["secret"].value("optional", false));
  }
  if (v.contains("configMap")) {
    return ObjectPayload(client, ns, "configmaps", v["configMap"].value("name", ""),
                         v["configMap"].value("items", json()),
                         v["configMap"].value("optional", false));
  }
  return std::nullopt;
}

}  // namespace

Result<bool> WriteVolumeAtomically(const std::string& folder, const VolumePayload& payload) {
  for (const auto& [path, _] : payload) {
    if (auto s = CheckPath(path); !s) return s.error();
  }
  const fs::path dir(folder);
  std::error_code ec;
  const fs::path data = dir / kData;
  const bool has_data = fs::is_symlink(data, ec);
  fs::path old_version;
  if (has_data) {
    old_version = dir / fs::read_symlink(data, ec);
    if (ReadTree(old_version) == payload) return false;
  } else if (payload.empty()) {
    return false;  // nothing there, nothing to write
  }

  // 1. The new version beside the old one.
  std::string version = VersionName();
  while (fs::exists(dir / version, ec)) version += "0";
  if (!fs::create_directories(dir / version, ec) || ec) {
    return Error{"cannot create " + (dir / version).string() + ": " + ec.message()};
  }
  for (const auto& [path, content] : payload) {
    const fs::path file = dir / version / path;
    fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return Error{"cannot write " + file.string()};
  }
  // 2. The swap: one rename of a fresh symlink over ..data.
  fs::remove(dir / kDataTmp, ec);
  fs::create_symlink(version, dir / kDataTmp, ec);
  if (ec) return Error{"cannot link " + (dir / kDataTmp).string() + ": " + ec.message()};
  fs::rename(dir / kDataTmp, data, ec);
  if (ec) return Error{"cannot swap " + data.string() + ": " + ec.message()};
  // 3. The user-visible names: new ones linked, dropped ones unlinked.
  std::set<std::string> names;
  for (const auto& [path, _] : payload) names.insert(TopLevel(path));
  for (const auto& name : names) {
    const fs::path link = dir / name;
    if (fs::is_symlink(link, ec)) continue;
    fs::remove_all(link, ec);  // a file written before this layout
    fs::create_symlink(fs::path(kData) / name, link, ec);
    if (ec) return Error{"cannot link " + link.string() + ": " + ec.message()};
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("..", 0) == 0 || names.count(name)) continue;
    if (fs::is_symlink(it->path())) fs::remove(it->path());
  }
  // 4. The old version, which no name points into any more.
  if (!old_version.empty()) fs::remove_all(old_version, ec);
  return true;
}

Status PopulateVolumes(kube::KubeClient& client, const json& pod, const std::string& pod_dir) {
  const auto folders = VolumeFolders(pod, pod_dir);
  const std::string ns = pod["metadata"].value("namespace", "");
  const json spec = pod.value("spec", json::object());
  for (const auto& v : spec.value("volumes", json::array())) {
    const std::string name = v.value("name", "");
    const std::string folder = folders.at(name);
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return Error{"cannot create " + folder + ": " + ec.message()};
    std::optional<Result<VolumePayload>> payload = ObjectVolumePayload(client, ns, v);
    if (!payload && v.contains("projected"))
      payload = ProjectedPayload(client, pod, v["projected"]);
    if (!payload) continue;  // emptyDir and others: an empty folder
    if (!*payload) return Error{"volume \"" + name + "\": " + payload->error().message};
    if (auto written = WriteVolumeAtomically(folder, payload->value()); !written) {
      return Error{"volume \"" + name + "\": " + written.error().message};
    }
  }
  return OkStatus();
}

VolumeRefresh RefreshVolumes(kube::KubeClient& client, const json& pod,
                             const std::string& pod_dir) {
  VolumeRefresh out;
  const auto folders = VolumeFolders(pod, pod_dir);
  const std::string ns = pod["metadata"].value("namespace", "");
  const json spec = pod.value("spec", json::object());
  for (const auto& v : spec.value("volumes", json::array())) {
    const std::string name = v.value("name", "");
    auto payload = ObjectVolumePayload(client, ns, v);
    if (!payload) continue;
    if (!*payload) {
      out.errors.push_back("volume \"" + name + "\": " + payload->error().message);
      continue;
    }
    auto written = WriteVolumeAtomically(folders.at(name), payload->value());
    if (!written) {
      out.errors.push_back("volume \"" + name + "\": " + written.error().message);
    } else if (*written) {
      out.changed.push_back(name);
    }
  }
  return out;
}

}  // namespace mm::dev
