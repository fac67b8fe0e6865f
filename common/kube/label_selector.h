#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace mm::kube {

// A metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists,
// DoesNotExist), ANDed together, with the API server's semantics: an empty
// selector ({}) matches every object; NotIn and DoesNotExist match objects that
// lack the key.
class LabelSelector {
 public:
  enum class Operator { kIn, kNotIn, kExists, kDoesNotExist };
  struct Requirement {
    std::string key;
    Operator op = Operator::kExists;
    std::vector<std::string> values;  // sorted; empty for Exists/DoesNotExist
  };

  // Parses a metav1.LabelSelector object. Errors name the offending field, e.g.
  // `matchExpressions[1].operator: "Equals" is not one of In, NotIn, Exists, DoesNotExist`.
  static Result<LabelSelector> FromJson(const nlohmann::json& selector);

  bool Matches(const std::map<std::string, std::string>& labels) const;
  // `labels` is an object's metadata.labels (absent or null means no labels).
  bool Matches(const nlohmann::json& labels) const;

  bool MatchesEverything() const { return requirements_.empty(); }
  // The selector in the API's labelSelector query syntax: "app=m,tier in (a,b),!old".
  std::string ToQuery() const;
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;  // matchLabels become In with one value
};

// One-shot forms for callers that hold a selector as JSON (the webhook): a null
// or invalid selector matches nothing; an empty one ({}) matches everything.
bool Matches(const nlohmann::json& selector, const nlohmann::json& labels);
// Why `selector` is not a valid LabelSelector, naming the field (FromJson's error).
Status ValidateLabelSelector(const nlohmann::json& selector);

}  // namespace mm::kube
