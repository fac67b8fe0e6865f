#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm::op {

// What one reconcile saw of the world, the input of the status computation.
struct Observation {
  int64_t generation = 0;
  std::string ns;
  std::string spec_error;                 // non-empty: the spec cannot be used (terminal)
  std::string selector;                   // the selector as text, for messages
  int matched = 0;                        // pods the selector matches
  int injected = 0;                       // of those, pods that carry this monitor's sidecar
  int opted_out = 0;                      // ... with modelmonitor.io/inject: "false"
  int host_network = 0;                   // ... with hostNetwork (never injected)
  int other_monitor = 0;                  // ... injected by another monitor selecting them too
  std::vector<std::string> not_injected;  // names of matched pods the webhook missed (sorted)
  std::string target_kind;                // "" when spec.target is absent
  std::string target_name;
  bool target_found = false;
};

// A metav1.Condition.
struct Condition {
  std::string type;    // Ready, Injected, Degraded
  std::string status;  // "True", "False", "Unknown"
  std::string reason;  // CamelCase, one word
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339

  nlohmann::json ToJson() const;
  bool operator==(const Condition& o) const = default;
};

// Reasons, the contract docs/operator.md lists.
namespace reason {
inline constexpr const char* kReconciled = "Reconciled";
inline constexpr const char* kInvalidSpec = "InvalidSpec";  // the API's parser refused the spec
inline constexpr const char* kNoPodsMatched = "NoPodsMatched";
inline constexpr const char* kAllPodsInjected = "AllPodsInjected";
inline constexpr const char* kPodsNotInjected = "PodsNotInjected";
inline constexpr const char* kTargetNotFound = "TargetNotFound";
inline constexpr const char* kAsExpected = "AsExpected";
}  // namespace reason

// Ready, Injected and Degraded for an observation, without transition times.
std::vector<Condition> ComputeConditions(const Observation& o);

// The status to write: `current` with observedGeneration, pods and the three
// conditions replaced (other fields, e.g. alerts written by the evaluator, and
// other condition types are kept). A condition whose status did not change keeps
// its lastTransitionTime; a changed one gets `now`.
nlohmann::json DesiredStatus(const nlohmann::json& current, const Observation& o,
                             const std::string& now);

// The conditions as a status object holds them, by type (absent types omitted).
std::vector<Condition> ConditionsOf(const nlohmann::json& status);

}  // namespace mm::op
