#include "common/api/model_monitor.h"

#include <algorithm>

namespace mm::api {

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const auto& req : match_expressions) {
    auto it = labels.find(req.key);
    const bool has = it != labels.end();
    const bool in_values =
        has && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    switch (req.op) {
      case SelectorOperator::kIn:
        if (!in_values) return false;
        break;
      case SelectorOperator::kNotIn:
        if (in_values) return false;
        break;
      case SelectorOperator::kExists:
        if (!has) return false;
        break;
      case SelectorOperator::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

bool AlertRule::ConditionHolds(double value) const {
  switch (op) {
    case ComparisonOp::kGreater:
      return value > threshold;
    case ComparisonOp::kGreaterOrEqual:
      return value >= threshold;
    case ComparisonOp::kLess:
      return value < threshold;
    case ComparisonOp::kLessOrEqual:
      return value <= threshold;
  }
  return false;
}

const AlertRule* ModelMonitorSpec::FindAlert(std::string_view name) const {
  for (const auto& alert : alerts) {
    if (alert.name == name) return &alert;
  }
  return nullptr;
}

}  // namespace mm::api
