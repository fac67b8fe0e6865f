#include "common/api/field_reader.h"

#include <cmath>
#include <sstream>

namespace mm::api {

using nlohmann::json;

std::string JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

std::optional<int64_t> AsInteger(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    // 2^63 is the first double past int64; the apiserver keeps such values as floats.
    if (std::trunc(d) != d || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) {
      return std::nullopt;
    }
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

bool JsonDeeperThan(const json& value, size_t max) {
  std::vector<std::pair<const json*, size_t>> stack = {{&value, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > max) return true;
    if (node->is_structured()) {
      for (const auto& child : *node) {
        if (child.is_structured()) stack.emplace_back(&child, depth + 1);
      }
    }
  }
  return false;
}

namespace {

std::string FormatNumber(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

void FieldReader::Fail(const std::string& path, const std::string& what) {
  if (errors_.size() >= kMaxErrors) {
    ++dropped_;
    return;
  }
  errors_.push_back(path + ": " + what);
}

std::string FieldReader::Message() const {
  std::string out;
  for (const auto& e : errors_) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  if (dropped_ > 0) out += "; and " + std::to_string(dropped_) + " more errors";
  return out;
}

std::string FieldReader::Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string FieldReader::Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

bool FieldReader::IsObject(const json& value, const std::string& path) {
  if (value.is_object()) return true;
  Fail(path, "must be an object, not " + JsonTypeName(value));
  return false;
}

bool FieldReader::IsObject(const json& value, const std::string& path,
                           std::initializer_list<std::string_view> known) {
  if (!IsObject(value, path)) return false;
  for (const auto& [key, unused] : value.items()) {
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || k == key;
    if (!is_known) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Fail(Child(path, key), "unknown field (known fields: " + list + ")");
    }
  }
  return true;
}

const json* FieldReader::Field(const json& object, const std::string& path, std::string_view key,
                               bool required) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) Fail(Child(path, key), "required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> FieldReader::String(const json& object, const std::string& path,
                                               std::string_view key, bool required,
                                               size_t max_length, size_t min_length) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(Child(path, key), "must be a string, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_length) {
    Fail(Child(path, key), "is " + std::to_string(s.size()) + " characters long (at most " +
                               std::to_string(max_length) + ")");
    return std::nullopt;
  }
  if (s.size() < min_length) {
    Fail(Child(path, key),
         s.empty() ? "must not be empty"
                   : "must be at least " + std::to_string(min_length) + " characters long");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> FieldReader::Integer(const json& object, const std::string& path,
                                            std::string_view key, bool required, int64_t min,
                                            int64_t max) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(Child(path, key), "must be an integer, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  const std::optional<int64_t> integer = AsInteger(*v);
  if (!integer) {
    const bool fraction = v->is_number_float() && std::trunc(v->get<double>()) != v->get<double>();
    Fail(Child(path, key), fraction ? "must be an integer, not " + v->dump()
                                    : v->dump() + " is out of range (use " + std::to_string(min) +
                                          " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  const int64_t n = *integer;
  if (n < min || n > max) {
    Fail(Child(path, key), std::to_string(n) + " is out of range (use " + std::to_string(min) +
                               " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return n;
}

std::optional<double> FieldReader::Number(const json& object, const std::string& path,
                                          std::string_view key, bool required, double min,
                                          double max, bool exclusive_max) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(Child(path, key), "must be a number, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max || (exclusive_max && d >= max)) {
    std::string range = std::isinf(max) ? "at least " + FormatNumber(min)
                        : std::isinf(min)
                            ? "at most " + FormatNumber(max)
                            : "from " + FormatNumber(min) + " to " + FormatNumber(max) +
                                  (exclusive_max ? " (excluded)" : "");
    Fail(Child(path, key), FormatNumber(d) + " is out of range (use a value " + range + ")");
    return std::nullopt;
  }
  return d;
}

std::optional<bool> FieldReader::Bool(const json& object, const std::string& path,
                                      std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(Child(path, key), "must be true or false, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<Duration> FieldReader::DurationField(const json& object, const std::string& path,
                                                   std::string_view key, bool required,
                                                   Duration min, Duration max) {
  auto text = String(object, path, key, required, 16);
  if (!text) return std::nullopt;
  auto d = ParseDuration(*text);
  if (!d) {
    Fail(Child(path, key), d.error().message);
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    Fail(Child(path, key),
         "\"" + *text + "\" is out of range (use " +
             (min.count() == 0 ? "at most " + FormatDuration(max)
                               : "from " + FormatDuration(min) + " to " + FormatDuration(max)) +
             ")");
    return std::nullopt;
  }
  return *d;
}

bool FieldReader::IsDnsName(std::string_view s, bool dots) {
  if (s.empty()) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  char prev = '.';
  for (char c : s) {
    if (alnum(c)) {
    } else if (c == '-') {
      if (prev == '.') return false;
    } else if (c == '.' && dots) {
      if (!alnum(prev)) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return alnum(prev);
}

}  // namespace mm::api
