#pragma once

// Reading the project's CRD in tests: its OpenAPI schema, and the structural defaulting the
// apiserver applies with it, so unit tests can compare the C++ parser's defaults with the
// CRD's without a control plane.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/yaml_json.h"

namespace mm::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::filesystem::path SourcePath(const std::string& relative) {
  return std::filesystem::path(MM_SOURCE_DIR) / relative;
}

// The CustomResourceDefinition as JSON.
inline nlohmann::json LoadCrd() {
  auto docs = ParseYamlDocuments(ReadFile(SourcePath("crds/modelmonitor.io_modelmonitors.yaml")));
  if (!docs || docs->size() != 1) return nullptr;
  return (*docs)[0];
}

inline nlohmann::json CrdSchema(const nlohmann::json& crd) {
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// The examples/ manifests, by file name.
inline std::vector<std::pair<std::string, nlohmann::json>> LoadExamples() {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("examples"))) {
    if (entry.path().extension() != ".yaml") continue;
    auto docs = ParseYamlDocuments(ReadFile(entry.path()));
    if (!docs) continue;
    for (auto& doc : *docs) out.emplace_back(entry.path().filename().string(), std::move(doc));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// Structural defaulting as the apiserver does it: a property with a default that is absent
// gets the default (then its own children's defaults), and defaults apply inside present
// objects and every item of arrays.
inline void ApplySchemaDefaults(nlohmann::json& value, const nlohmann::json& schema) {
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& [key, sub] : schema["properties"].items()) {
      if (!value.contains(key) && sub.contains("default")) value[key] = sub["default"];
      if (value.contains(key)) ApplySchemaDefaults(value[key], sub);
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (auto& item : value) ApplySchemaDefaults(item, schema["items"]);
  }
}

}  // namespace mm::testing
