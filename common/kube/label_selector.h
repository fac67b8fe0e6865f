#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace mm::kube {

// metav1.LabelSelector semantics: every matchLabels pair and every
// matchExpressions requirement (In, NotIn, Exists, DoesNotExist) must hold.
// An empty selector ({}) matches everything, as in Kubernetes; a null or
// invalid selector matches nothing (validate first to tell the user why).
bool Matches(const nlohmann::json& selector, const nlohmann::json& labels);

// Why a selector is not a valid LabelSelector, naming the field:
// `matchExpressions[1].operator: "Contains" is not an operator (use In, NotIn, Exists,
// DoesNotExist)`.
Status ValidateLabelSelector(const nlohmann::json& selector);

}  // namespace mm::kube
