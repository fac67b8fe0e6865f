#pragma once

// Reading fields of Kubernetes objects that may be absent or of the wrong type,
// without exceptions: a missing or mistyped field reads as null / "" / {}.
#include <nlohmann/json.hpp>
#include <string>

namespace mm::json_fields {

// obj[key], or null when obj is not an object or has no such key.
inline const nlohmann::json& At(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it != obj.end() ? *it : kNull;
}

// obj[key] if it is an object, else an empty object.
inline const nlohmann::json& ObjectAt(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& v = At(obj, key);
  return v.is_object() ? v : kEmpty;
}

// obj[key] if it is a string, else "".
inline std::string StringAt(const nlohmann::json& obj, const char* key) {
  const nlohmann::json& v = At(obj, key);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace mm::json_fields
