#pragma once

// ADAPTER — the few ModelMonitor fields the reconciler needs, read straight
// from the object's JSON. The full API types and their parser live in
// common/api/ (another branch); when they land, replace MonitorView::FromJson
// with a call into common/api and keep this struct's shape (or use the API type
// directly). Nothing else in operator/ reads ModelMonitor JSON.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/kube/label_selector.h"
#include "common/result.h"

namespace mm::op {

inline constexpr const char* kGroup = "modelmonitor.io";
inline constexpr const char* kApiVersion = "modelmonitor.io/v1alpha1";
inline constexpr const char* kKind = "ModelMonitor";
inline constexpr const char* kResource = "modelmonitors";
// Set on a pod by the webhook when it injected the sidecar.
inline constexpr const char* kInjectedAnnotation = "modelmonitor.io/injected";

struct MonitorView {
  std::string ns;
  std::string name;
  std::string uid;
  int64_t generation = 0;
  // The selector, or why spec.selector is unusable (a terminal spec error).
  std::optional<kube::LabelSelector> selector;
  std::string selector_error;
  std::string target_kind;  // spec.target.kind ("Deployment"), "" when absent
  std::string target_name;
  nlohmann::json status;  // the current status object (may be null)

  // Reads metadata, spec.selector, spec.target and status.
  static MonitorView FromJson(const nlohmann::json& object);
};

}  // namespace mm::op
