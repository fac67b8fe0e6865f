#include "operator/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

namespace mm::op {

std::string YamlConfig::to_config(const CLI::App* app, bool default_also, bool /*descriptions*/,
                                  std::string /*prefix*/) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const CLI::Option* opt : app->get_options({})) {
    if (opt->get_lnames().empty() || opt->get_configurable() == false) continue;
    const std::string name = opt->get_lnames()[0];
    if (name == "help" || name == "version" || name == "config") continue;
    std::string value = opt->as<std::string>();
    if (value.empty() && default_also) value = opt->get_default_str();
    if (value.empty()) continue;
    out << YAML::Key << name << YAML::Value << value;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  std::stringstream ss;
  ss << input.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::Exception& e) {
    throw CLI::ConversionError("--config: not valid YAML: " + std::string(e.what()));
  }
  std::vector<CLI::ConfigItem> parsed;
  if (root.IsNull()) return parsed;
  if (!root.IsMap()) {
    throw CLI::ConversionError("--config: must be a map of flag names to values");
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    CLI::ConfigItem item;
    item.name = key;
    if (kv.second.IsScalar()) {
      item.inputs.push_back(kv.second.as<std::string>());
    } else if (kv.second.IsSequence()) {
      for (const auto& v : kv.second) {
        if (!v.IsScalar()) {
          throw CLI::ConversionError("--config: " + key + ": list items must be scalars");
        }
        item.inputs.push_back(v.as<std::string>());
      }
    } else {
      throw CLI::ConversionError("--config: " + key +
                                 ": must be a scalar or a list (flags are flat)");
    }
    parsed.push_back(std::move(item));
  }
  return parsed;
}

}  // namespace mm::op
