#include "dev/local_kubelet/kubelet_config.h"

#include <fnmatch.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/yaml_json.h"

namespace mm::dev {
namespace {

const char* GetEnv(const char* name) { return std::getenv(name); }

Result<std::string> StringField(const nlohmann::json& obj, const char* key,
                                const std::string& where) {
  if (!obj.contains(key)) return std::string();
  if (!obj[key].is_string()) return Error{where + "." + key + ": must be a string"};
  return obj[key].get<std::string>();
}

}  // namespace

bool KubeletConfig::IsSidecarImage(const std::string& image) const {
  return !sidecar_image_contains.empty() && image.find(sidecar_image_contains) != std::string::npos;
}

const ImageCommand* KubeletConfig::CommandFor(const std::string& image) const {
  for (const auto& m : images) {
    if (m.image == image || fnmatch(m.image.c_str(), image.c_str(), 0) == 0) return &m;
  }
  return nullptr;
}

Result<KubeletConfig> ParseKubeletConfig(const std::string& yaml_text) {
  auto docs = ParseYamlDocuments(yaml_text);
  if (!docs) return Error{"local kubelet config: " + docs.error().message};
  KubeletConfig config;
  if (docs->empty()) return config;
  if (docs->size() != 1 || !(*docs)[0].is_object()) {
    return Error{"local kubelet config: want one YAML mapping with `sidecar` and `images`"};
  }
  const nlohmann::json& root = (*docs)[0];
  for (const auto& [key, _] : root.items()) {
    if (key != "sidecar" && key != "images") {
      return Error{"local kubelet config: unknown key \"" + key + "\" (known: sidecar, images)"};
    }
  }
  if (root.contains("sidecar")) {
    const auto& s = root["sidecar"];
    if (!s.is_object()) return Error{"sidecar: must be a mapping with imageContains"};
    auto contains = StringField(s, "imageContains", "sidecar");
    if (!contains) return contains.error();
    if (!contains->empty()) config.sidecar_image_contains = *contains;
  }
  if (!root.contains("images")) return config;
  if (!root["images"].is_array()) return Error{"images: must be a list of {image, command}"};
  for (size_t i = 0; i < root["images"].size(); ++i) {
    const auto& m = root["images"][i];
    const std::string where = "images[" + std::to_string(i) + "]";
    if (!m.is_object()) return Error{where + ": must be a mapping with image and command"};
    ImageCommand c;
    auto image = StringField(m, "image", where);
    if (!image) return image.error();
    if (image->empty()) return Error{where + ".image: required (e.g. modelmonitor/demo-model:*)"};
    c.image = *image;
    if (!m.contains("command") || !m["command"].is_array() || m["command"].empty()) {
      return Error{where + ".command: required, a non-empty list of strings"};
    }
    for (const auto& part : m["command"]) {
      if (!part.is_string()) return Error{where + ".command: every element must be a string"};
      c.command.push_back(part.get<std::string>());
    }
    auto wd = StringField(m, "workingDir", where);
    if (!wd) return wd.error();
    c.working_dir = *wd;
    if (m.contains("env")) {
      if (!m["env"].is_object()) return Error{where + ".env: must be a mapping NAME: value"};
      for (const auto& [k, v] : m["env"].items()) {
        if (!v.is_string()) return Error{where + ".env." + k + ": must be a string"};
        c.env[k] = v.get<std::string>();
      }
    }
    config.images.push_back(std::move(c));
  }
  return config;
}

Result<KubeletConfig> LoadKubeletConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"local kubelet config: cannot read " + path};
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseKubeletConfig(text.str());
  if (!config) return Error{path + ": " + config.error().message};
  return config;
}

Result<std::string> ExpandVariables(const std::string& text,
                                    const std::map<std::string, std::string>& vars, EnvLookup env) {
  if (env == nullptr) env = GetEnv;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += '$';
      continue;
    }
    const size_t end = text.find('}', i + 2);
    if (end == std::string::npos) return Error{"\"" + text + "\": ${ without a closing }"};
    const std::string name = text.substr(i + 2, end - i - 2);
    if (auto it = vars.find(name); it != vars.end()) {
      out += it->second;
    } else if (const char* v = env(name.c_str()); v != nullptr) {
      out += v;
    } else {
      return Error{"\"" + text + "\": ${" + name +
                   "} is neither a pod variable (POD_IP, PORT, POD_NAME, POD_NAMESPACE, "
                   "CONTAINER_NAME, IMAGE, IMAGE_TAG) nor set in the kubelet's environment"};
    }
    i = end;
  }
  return out;
}

}  // namespace mm::dev
