#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace YAML {
class Node;
}

namespace mm {

// Converts YAML to JSON the way kubectl does (sigs.k8s.io/yaml on go-yaml v2): plain scalars
// become null, booleans (true/false and YAML 1.1's yes/no/on/off), integers and floats when
// they read as such, everything else (and every quoted scalar) a string. Mapping keys are
// strings. Used to read manifests (examples/, the CRD) into the API's JSON.
Result<nlohmann::json> YamlToJson(const YAML::Node& node);

// Every non-empty document of a YAML stream ("---" separated), as JSON. Errors carry the
// YAML parser's line and column.
Result<std::vector<nlohmann::json>> ParseYamlDocuments(std::string_view text);

}  // namespace mm
