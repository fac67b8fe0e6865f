#include "common/api/model_monitor.h"

#include <algorithm>

namespace mm::api {

Result<kube::LabelSelector> LabelSelector::Compile() const {
  // A parsed selector always compiles (the parser checks what kube::LabelSelector does
  // and more); one built by hand may not.
  return kube::LabelSelector::FromJson(ToJson(*this));
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
