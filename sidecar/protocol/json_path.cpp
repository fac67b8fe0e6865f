#include "sidecar/protocol/json_path.h"

#include <cctype>

namespace mm::sidecar {

Result<JsonPath> JsonPath::Parse(const std::string& text) {
  auto fail = [&](const std::string& why) -> Error {
    return Error{"outputPath \"" + text + "\": " + why +
                 " (use e.g. $.predictions, $.outputs[0].data or $.items[*].score)"};
  };
  JsonPath path;
  path.text_ = text;
  if (text.empty() || text[0] != '$') return fail("must start with $");
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      size_t end = ++i;
      while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
      if (end == i) return fail("empty name after '.' at offset " + std::to_string(i));
      path.steps_.emplace_back(text.substr(i, end - i));
      i = end;
    } else if (text[i] == '[') {
      const size_t close = text.find(']', i);
      if (close == std::string::npos)
        return fail("'[' at offset " + std::to_string(i) + " is not closed");
      const std::string inner = text.substr(i + 1, close - i - 1);
      if (inner == "*") {
        path.steps_.emplace_back(Wildcard{});
        path.has_wildcard_ = true;
      } else if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
                 inner.back() == inner.front()) {
        path.steps_.emplace_back(inner.substr(1, inner.size() - 2));
      } else if (!inner.empty() && inner.size() <= 9 &&
                 inner.find_first_not_of("0123456789") == std::string::npos) {
        path.steps_.emplace_back(static_cast<size_t>(std::stoul(inner)));
      } else {
        return fail("[" + inner + "] is not an index, a quoted name or *");
      }
      i = close + 1;
    } else {
      return fail("unexpected '" + std::string(1, text[i]) + "' at offset " + std::to_string(i));
    }
  }
  return path;
}

std::vector<const nlohmann::json*> JsonPath::Select(const nlohmann::json& doc) const {
  std::vector<const nlohmann::json*> nodes = {&doc};
  for (const Step& step : steps_) {
    std::vector<const nlohmann::json*> next;
    for (const nlohmann::json* node : nodes) {
      if (const auto* name = std::get_if<std::string>(&step)) {
        if (!node->is_object()) continue;
        auto it = node->find(*name);
        if (it != node->end()) next.push_back(&*it);
      } else if (const auto* index = std::get_if<size_t>(&step)) {
        if (node->is_array() && *index < node->size()) next.push_back(&(*node)[*index]);
      } else if (node->is_array() || node->is_object()) {
        for (const auto& child : *node) next.push_back(&child);
      }
    }
    nodes = std::move(next);
  }
  return nodes;
}

}  // namespace mm::sidecar
