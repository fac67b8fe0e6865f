#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mm::api {

// The API's enumerations, each with the exact spelling the CRD's `enum` lists (and the same
// order). ToString / FromString<E> convert; AllowedValues<E>() is for error messages.

enum class Protocol { kOpenInferenceV2, kKServeV1, kOpenAI, kJson };
enum class Task { kBinaryClassification, kMulticlassClassification, kRegression };
enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };
// The alert's comparison: fire when `metric op threshold` holds.
enum class ComparisonOp { kGreater, kGreaterOrEqual, kLess, kLessOrEqual };
enum class Severity { kWarning, kCritical };
enum class Action { kNone, kRollback, kRetrain };
enum class AlertState { kInactive, kPending, kFiring, kInconclusive };
enum class RemediationResult { kStarted, kSucceeded, kFailed, kDryRun, kSkipped };

template <typename E>
struct EnumNames;  // specialised below: `static constexpr std::array<std::pair<E, ...>> kNames`

template <>
struct EnumNames<Protocol> {
  static constexpr std::array<std::pair<Protocol, std::string_view>, 4> kNames{{
      {Protocol::kOpenInferenceV2, "open-inference-v2"},
      {Protocol::kKServeV1, "kserve-v1"},
      {Protocol::kOpenAI, "openai"},
      {Protocol::kJson, "json"},
  }};
};
template <>
struct EnumNames<Task> {
  static constexpr std::array<std::pair<Task, std::string_view>, 3> kNames{{
      {Task::kBinaryClassification, "binary-classification"},
      {Task::kMulticlassClassification, "multiclass-classification"},
      {Task::kRegression, "regression"},
  }};
};
template <>
struct EnumNames<SelectorOperator> {
  static constexpr std::array<std::pair<SelectorOperator, std::string_view>, 4> kNames{{
      {SelectorOperator::kIn, "In"},
      {SelectorOperator::kNotIn, "NotIn"},
      {SelectorOperator::kExists, "Exists"},
      {SelectorOperator::kDoesNotExist, "DoesNotExist"},
  }};
};
template <>
struct EnumNames<ComparisonOp> {
  static constexpr std::array<std::pair<ComparisonOp, std::string_view>, 4> kNames{{
      {ComparisonOp::kGreater, ">"},
      {ComparisonOp::kGreaterOrEqual, ">="},
      {ComparisonOp::kLess, "<"},
      {ComparisonOp::kLessOrEqual, "<="},
  }};
};
template <>
struct EnumNames<Severity> {
  static constexpr std::array<std::pair<Severity, std::string_view>, 2> kNames{{
      {Severity::kWarning, "warning"},
      {Severity::kCritical, "critical"},
  }};
};
template <>
struct EnumNames<Action> {
  static constexpr std::array<std::pair<Action, std::string_view>, 3> kNames{{
      {Action::kNone, "none"},
      {Action::kRollback, "rollback"},
      {Action::kRetrain, "retrain"},
  }};
};
template <>
struct EnumNames<AlertState> {
  static constexpr std::array<std::pair<AlertState, std::string_view>, 4> kNames{{
      {AlertState::kInactive, "Inactive"},
      {AlertState::kPending, "Pending"},
      {AlertState::kFiring, "Firing"},
      {AlertState::kInconclusive, "Inconclusive"},
  }};
};
template <>
struct EnumNames<RemediationResult> {
  static constexpr std::array<std::pair<RemediationResult, std::string_view>, 5> kNames{{
      {RemediationResult::kStarted, "Started"},
      {RemediationResult::kSucceeded, "Succeeded"},
      {RemediationResult::kFailed, "Failed"},
      {RemediationResult::kDryRun, "DryRun"},
      {RemediationResult::kSkipped, "Skipped"},
  }};
};

template <typename E>
constexpr std::string_view ToString(E value) {
  for (const auto& [v, name] : EnumNames<E>::kNames) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E>
constexpr std::optional<E> FromString(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// `"a", "b", "c"` for messages such as `"grpc" is not one of "json", "openai"`.
template <typename E>
std::string AllowedValues() {
  std::string out;
  for (const auto& [v, name] : EnumNames<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += "\"" + std::string(name) + "\"";
  }
  return out;
}

}  // namespace mm::api
