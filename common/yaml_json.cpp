#include "common/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace mm {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

bool OneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

json PlainScalar(const std::string& s) {
  if (OneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (OneOf(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})) {
    return true;
  }
  if (OneOf(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})) {
    return false;
  }
  if (OneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    return std::numeric_limits<double>::infinity();
  }
  if (OneOf(s, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  // Integers: [-+]?[0-9]+ (and 0x hex), kept as int64 when they fit.
  const size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  const bool hex = s.size() > sign + 2 && s[sign] == '0' && (s[sign + 1] == 'x');
  bool all_digits = s.size() > sign;
  for (size_t i = sign + (hex ? 2 : 0); i < s.size(); ++i) {
    const char c = s[i];
    all_digits = all_digits && ((c >= '0' && c <= '9') ||
                                (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))));
  }
  if (all_digits) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, hex ? 16 : 10);
    if (errno == 0 && end == s.c_str() + s.size()) return static_cast<int64_t>(v);
    return std::strtod(s.c_str(), nullptr);
  }
  // Floats: digits with a '.' or an exponent, nothing else.
  bool digit_seen = false;
  bool float_like = s.size() > sign;
  for (size_t i = sign; i < s.size() && float_like; ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digit_seen = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
      float_like = false;
    }
  }
  if (float_like && digit_seen) {
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && std::isfinite(d)) return d;
  }
  return s;
}

Result<json> Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) return Error{"YAML nested more than 64 levels deep"};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& text = node.Scalar();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(text);
      if (tag == "?" || tag.empty() || tag.rfind("tag:yaml.org,2002:", 0) == 0) {
        return PlainScalar(text);
      }
      return json(text);
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) {
        auto converted = Convert(item, depth + 1);
        if (!converted) return converted;
        out.push_back(std::move(converted).value());
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) return Error{"YAML mapping keys must be scalars"};
        auto value = Convert(entry.second, depth + 1);
        if (!value) return value;
        out[entry.first.Scalar()] = std::move(value).value();
      }
      return out;
    }
  }
  return Error{"unknown YAML node"};
}

}  // namespace

Result<json> YamlToJson(const YAML::Node& node) { return Convert(node, 0); }

Result<std::vector<json>> ParseYamlDocuments(std::string_view text) {
  std::vector<json> out;
  try {
    for (const YAML::Node& doc : YAML::LoadAll(std::string(text))) {
      if (doc.IsNull()) continue;
      auto converted = YamlToJson(doc);
      if (!converted) return converted.error();
      out.push_back(std::move(converted).value());
    }
  } catch (const YAML::Exception& e) {
    return Error{std::string("invalid YAML: ") + e.what()};
  }
  return out;
}

}  // namespace mm
