#include "tests/support/api_calls.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace mm::testing {

std::string ApiCall::ToString() const {
  std::string out = verb + " " + (group.empty() ? "core" : group) + "/" + resource;
  if (!subresource.empty()) out += "/" + subresource;
  return out;
}

ApiCalls ApiCallsInAuditLog(const std::string& path, const std::string& user_agent_prefix) {
  ApiCalls calls;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object() || !event.contains("objectRef")) continue;
    if (event.value("userAgent", "").rfind(user_agent_prefix, 0) != 0) continue;
    const auto& ref = event["objectRef"];
    ++calls[ApiCall{event.value("verb", ""), ref.value("apiGroup", ""), ref.value("resource", ""),
                    ref.value("subresource", "")}];
  }
  return calls;
}

std::string FormatApiCalls(const ApiCalls& calls) {
  std::string out;
  for (const auto& [call, count] : calls) {
    out += std::to_string(count) + "\t" + call.verb + "\t" + call.group + "\t" + call.resource +
           "\t" + call.subresource + "\n";
  }
  return out;
}

ApiCalls ParseApiCalls(const std::string& text) {
  ApiCalls calls;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
    while (fields.size() < 5) fields.emplace_back();
    if (fields[1].empty()) continue;
    calls[ApiCall{fields[1], fields[2], fields[3], fields[4]}] += std::atoi(fields[0].c_str());
  }
  return calls;
}

std::string ApiCallsDir() {
  const char* dir = std::getenv("MM_API_CALLS_DIR");
  return dir ? dir : "";
}

}  // namespace mm::testing
