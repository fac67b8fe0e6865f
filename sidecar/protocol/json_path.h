#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"

namespace mm::sidecar {

// The subset of JSONPath that outputPath needs: $ then any of .name, ['name'],
// ["name"], [N] and [*] (every element). Compiled once from the config.
class JsonPath {
 public:
  struct Wildcard {};
  using Step = std::variant<std::string, size_t, Wildcard>;

  static Result<JsonPath> Parse(const std::string& text);

  // The nodes the path selects in `doc` (none when a step is missing).
  std::vector<const nlohmann::json*> Select(const nlohmann::json& doc) const;
  bool has_wildcard() const { return has_wildcard_; }
  const std::string& text() const { return text_; }
  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
  bool has_wildcard_ = false;
  std::string text_;
};

}  // namespace mm::sidecar
