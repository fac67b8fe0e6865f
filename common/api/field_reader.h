#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/duration.h"
#include "common/api/enums.h"
#include "common/result.h"

namespace mm::api {

// Reads typed fields out of JSON objects and collects every error with its field path
// ("spec.alerts[2].window: ..."), the way the apiserver reports all problems at once.
// A getter returns nullopt when the field is absent or wrong (then an error is recorded);
// callers apply the default with value_or. Used by the ModelMonitor parser; internal to
// common/api but with nothing specific to ModelMonitor.
class FieldReader {
 public:
  static constexpr size_t kMaxErrors = 20;

  // Records `path: what`.
  void Fail(const std::string& path, const std::string& what);
  bool ok() const { return errors_.empty(); }
  // All errors joined with "; ".
  std::string Message() const;
  Error ToError() const { return Error{Message()}; }

  static std::string Child(const std::string& path, std::string_view key);
  static std::string Index(const std::string& path, size_t i);

  // Whether `value` is an object; records an error naming `path` if not. With `known`, a key
  // outside it is an error (strict, like kubectl's field validation).
  bool IsObject(const nlohmann::json& value, const std::string& path);
  bool IsObject(const nlohmann::json& value, const std::string& path,
                std::initializer_list<std::string_view> known);

  // The field `key` of `object`, or nullptr when absent (an error when `required`).
  const nlohmann::json* Field(const nlohmann::json& object, const std::string& path,
                              std::string_view key, bool required = false);

  std::optional<std::string> String(const nlohmann::json& object, const std::string& path,
                                    std::string_view key, bool required, size_t max_length,
                                    size_t min_length = 0);
  std::optional<int64_t> Integer(const nlohmann::json& object, const std::string& path,
                                 std::string_view key, bool required,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max());
  std::optional<double> Number(const nlohmann::json& object, const std::string& path,
                               std::string_view key, bool required,
                               double min = -std::numeric_limits<double>::infinity(),
                               double max = std::numeric_limits<double>::infinity(),
                               bool exclusive_max = false);
  std::optional<bool> Bool(const nlohmann::json& object, const std::string& path,
                           std::string_view key, bool required);
  // A duration string within [min, max].
  std::optional<Duration> DurationField(const nlohmann::json& object, const std::string& path,
                                        std::string_view key, bool required, Duration min,
                                        Duration max);

  template <typename E>
  std::optional<E> Enum(const nlohmann::json& object, const std::string& path, std::string_view key,
                        bool required) {
    auto text = String(object, path, key, required, 256);
    if (!text) return std::nullopt;
    if (auto value = FromString<E>(*text)) return value;
    Fail(Child(path, key), "\"" + *text + "\" is not one of " + AllowedValues<E>());
    return std::nullopt;
  }

  // Lowercase letters, digits and '-' inside (and '.' between labels when `dots`), starting
  // and ending with a letter or digit: Kubernetes names and DNS labels.
  static bool IsDnsName(std::string_view s, bool dots);

 private:
  std::vector<std::string> errors_;
  size_t dropped_ = 0;
};

// The value as an integer the way the apiserver reads JSON: integers, and floats with no
// fraction (1.0); nullopt for anything else or out of int64's range.
std::optional<int64_t> AsInteger(const nlohmann::json& value);

// Whether `value` nests objects and lists more than `max` levels deep. Iterative, so hostile
// input cannot exhaust the stack here.
bool JsonDeeperThan(const nlohmann::json& value, size_t max);

// Describes a JSON value's type for messages: "a string", "a number", "an object"...
std::string JsonTypeName(const nlohmann::json& value);

}  // namespace mm::api
