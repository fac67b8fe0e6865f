#pragma once

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace mm::op {

// Lets CLI11 read --config files written in YAML: a flat map of flag names
// (without dashes) to scalars or lists of scalars. Nested maps are refused with
// an error naming the key, so a typo'd structure does not pass silently.
class YamlConfig : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace mm::op
