#include "common/kube/label_selector.h"

#include <string>

namespace mm::kube {
namespace {

using nlohmann::json;

Status ValidateExpression(const json& e, const std::string& where) {
  if (!e.is_object()) return Error{where + ": must be an object {key, operator, values}"};
  const auto key = e.find("key");
  if (key == e.end() || !key->is_string() || key->get_ref<const std::string&>().empty()) {
    return Error{where + ".key: required, a label key"};
  }
  const auto op = e.find("operator");
  if (op == e.end() || !op->is_string()) {
    return Error{where + ".operator: required (use In, NotIn, Exists, DoesNotExist)"};
  }
  const std::string& o = op->get_ref<const std::string&>();
  const auto values = e.find("values");
  const bool has_values = values != e.end() && !values->is_null();
  if (has_values) {
    if (!values->is_array()) return Error{where + ".values: must be a list of strings"};
    for (const auto& v : *values) {
      if (!v.is_string()) return Error{where + ".values: must be a list of strings"};
    }
  }
  const size_t n = has_values ? values->size() : 0;
  if (o == "In" || o == "NotIn") {
    if (n == 0) return Error{where + ".values: must not be empty for operator " + o};
  } else if (o == "Exists" || o == "DoesNotExist") {
    if (n != 0) return Error{where + ".values: must be empty for operator " + o};
  } else {
    return Error{where + ".operator: \"" + o +
                 "\" is not an operator (use In, NotIn, Exists, DoesNotExist)"};
  }
  return OkStatus();
}

bool HasValue(const json& values, const std::string& v) {
  for (const auto& x : values) {
    if (x.is_string() && x.get_ref<const std::string&>() == v) return true;
  }
  return false;
}

}  // namespace

Status ValidateLabelSelector(const json& selector) {
  if (!selector.is_object())
    return Error{"selector: must be an object {matchLabels, matchExpressions}"};
  for (const auto& [field, value] : selector.items()) {
    if (field == "matchLabels") {
      if (value.is_null()) continue;
      if (!value.is_object()) return Error{"matchLabels: must be a map of label key to value"};
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) return Error{"matchLabels." + k + ": the value must be a string"};
      }
    } else if (field == "matchExpressions") {
      if (value.is_null()) continue;
      if (!value.is_array()) return Error{"matchExpressions: must be a list of requirements"};
      for (size_t i = 0; i < value.size(); ++i) {
        if (auto s = ValidateExpression(value[i], "matchExpressions[" + std::to_string(i) + "]");
            !s) {
          return s;
        }
      }
    } else {
      return Error{"selector." + field + ": unknown field (use matchLabels, matchExpressions)"};
    }
  }
  return OkStatus();
}

bool Matches(const json& selector, const json& labels) {
  if (!ValidateLabelSelector(selector)) return false;
  static const json kNoLabels = json::object();
  const json& l = labels.is_object() ? labels : kNoLabels;
  auto label = [&](const std::string& key) -> const json* {
    const auto it = l.find(key);
    return it != l.end() && it->is_string() ? &*it : nullptr;
  };
  if (const auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) {
      const json* have = label(k);
      if (!have || *have != v) return false;
    }
  }
  if (const auto me = selector.find("matchExpressions"); me != selector.end() && me->is_array()) {
    for (const auto& e : *me) {
      const json* have = label(e["key"].get<std::string>());
      const std::string& op = e["operator"].get_ref<const std::string&>();
      const json values = e.value("values", json::array());
      if (op == "In") {
        if (!have || !HasValue(values, have->get<std::string>())) return false;
      } else if (op == "NotIn") {
        if (have && HasValue(values, have->get<std::string>())) return false;
      } else if (op == "Exists") {
        if (!have) return false;
      } else if (op == "DoesNotExist") {
        if (have) return false;
      }
    }
  }
  return true;
}

}  // namespace mm::kube
