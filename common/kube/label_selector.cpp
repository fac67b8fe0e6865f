#include "common/kube/label_selector.h"

#include <algorithm>

namespace mm::kube {
namespace {

// Label keys and values are bounded by the API server (63 + 253 characters); a
// selector is user input from a ModelMonitor spec, so bound it before matching.
constexpr size_t kMaxRequirements = 100;
constexpr size_t kMaxValues = 1000;

Result<LabelSelector::Operator> ParseOperator(const nlohmann::json& op, const std::string& field) {
  if (op.is_string()) {
    const auto& s = op.get_ref<const std::string&>();
    if (s == "In") return LabelSelector::Operator::kIn;
    if (s == "NotIn") return LabelSelector::Operator::kNotIn;
    if (s == "Exists") return LabelSelector::Operator::kExists;
    if (s == "DoesNotExist") return LabelSelector::Operator::kDoesNotExist;
  }
  return Error{field + ": " + op.dump() + " is not one of In, NotIn, Exists, DoesNotExist"};
}

const char* OperatorQuery(LabelSelector::Operator op) {
  return op == LabelSelector::Operator::kIn ? " in " : " notin ";
}

}  // namespace

Result<LabelSelector> LabelSelector::FromJson(const nlohmann::json& selector) {
  if (!selector.is_object()) {
    return Error{"selector: must be an object with matchLabels and/or matchExpressions, got " +
                 std::string(selector.type_name())};
  }
  for (const auto& [name, value] : selector.items()) {
    if (name != "matchLabels" && name != "matchExpressions") {
      return Error{"selector." + name + ": unknown field (use matchLabels, matchExpressions)"};
    }
  }
  LabelSelector out;
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->is_null()) {
    if (!it->is_object()) return Error{"selector.matchLabels: must be a map of strings"};
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) {
        return Error{"selector.matchLabels." + key + ": must be a string, got " + value.dump()};
      }
      out.requirements_.push_back({key, Operator::kIn, {value.get<std::string>()}});
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->is_null()) {
    if (!it->is_array()) return Error{"selector.matchExpressions: must be a list"};
    for (size_t i = 0; i < it->size(); ++i) {
      const auto& expr = (*it)[i];
      const std::string field = "selector.matchExpressions[" + std::to_string(i) + "]";
      if (!expr.is_object()) return Error{field + ": must be an object {key, operator, values}"};
      const auto key = expr.find("key");
      if (key == expr.end() || !key->is_string() || key->get_ref<const std::string&>().empty()) {
        return Error{field + ".key: must be a non-empty string"};
      }
      auto op = ParseOperator(expr.value("operator", nlohmann::json()), field + ".operator");
      if (!op) return op.error();
      Requirement req{key->get<std::string>(), op.value(), {}};
      if (auto values = expr.find("values"); values != expr.end() && !values->is_null()) {
        if (!values->is_array() || values->size() > kMaxValues) {
          return Error{field + ".values: must be a list of at most " + std::to_string(kMaxValues) +
                       " strings"};
        }
        for (const auto& v : *values) {
          if (!v.is_string()) return Error{field + ".values: " + v.dump() + " is not a string"};
          req.values.push_back(v.get<std::string>());
        }
      }
      const bool set_op = req.op == Operator::kIn || req.op == Operator::kNotIn;
      if (set_op && req.values.empty()) {
        return Error{field + ".values: must be non-empty for operator In and NotIn"};
      }
      if (!set_op && !req.values.empty()) {
        return Error{field + ".values: must be empty for operator Exists and DoesNotExist"};
      }
      std::sort(req.values.begin(), req.values.end());
      req.values.erase(std::unique(req.values.begin(), req.values.end()), req.values.end());
      out.requirements_.push_back(std::move(req));
    }
  }
  if (out.requirements_.size() > kMaxRequirements) {
    return Error{"selector: " + std::to_string(out.requirements_.size()) +
                 " requirements, at most " + std::to_string(kMaxRequirements) + " are allowed"};
  }
  return out;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& req : requirements_) {
    const auto it = labels.find(req.key);
    const bool has = it != labels.end();
    switch (req.op) {
      case Operator::kExists:
        if (!has) return false;
        break;
      case Operator::kDoesNotExist:
        if (has) return false;
        break;
      case Operator::kIn:
        if (!has || !std::binary_search(req.values.begin(), req.values.end(), it->second)) {
          return false;
        }
        break;
      case Operator::kNotIn:
        if (has && std::binary_search(req.values.begin(), req.values.end(), it->second)) {
          return false;
        }
        break;
    }
  }
  return true;
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  // Looks keys up in place: this runs for every cached pod of a namespace on
  // each reconcile, so it must not copy the labels.
  for (const auto& req : requirements_) {
    const std::string* value = nullptr;
    if (labels.is_object()) {
      auto it = labels.find(req.key);
      if (it != labels.end() && it->is_string()) value = &it->get_ref<const std::string&>();
    }
    switch (req.op) {
      case Operator::kExists:
        if (!value) return false;
        break;
      case Operator::kDoesNotExist:
        if (value) return false;
        break;
      case Operator::kIn:
        if (!value || !std::binary_search(req.values.begin(), req.values.end(), *value)) {
          return false;
        }
        break;
      case Operator::kNotIn:
        if (value && std::binary_search(req.values.begin(), req.values.end(), *value)) {
          return false;
        }
        break;
    }
  }
  return true;
}

std::string LabelSelector::ToQuery() const {
  std::string out;
  for (const auto& req : requirements_) {
    if (!out.empty()) out += ",";
    switch (req.op) {
      case Operator::kExists:
        out += req.key;
        break;
      case Operator::kDoesNotExist:
        out += "!" + req.key;
        break;
      case Operator::kIn:
      case Operator::kNotIn:
        if (req.op == Operator::kIn && req.values.size() == 1) {
          out += req.key + "=" + req.values[0];
          break;
        }
        out += req.key + OperatorQuery(req.op) + "(";
        for (size_t i = 0; i < req.values.size(); ++i) out += (i ? "," : "") + req.values[i];
        out += ")";
        break;
    }
  }
  return out;
}

bool Matches(const nlohmann::json& selector, const nlohmann::json& labels) {
  if (selector.is_null()) return false;
  auto parsed = LabelSelector::FromJson(selector);
  return parsed.ok() && parsed->Matches(labels);
}

Status ValidateLabelSelector(const nlohmann::json& selector) {
  auto parsed = LabelSelector::FromJson(selector);
  if (!parsed) return parsed.error();
  return OkStatus();
}

}  // namespace mm::kube
