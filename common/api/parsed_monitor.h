#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/api/model_monitor.h"
#include "common/kube/label_selector.h"

namespace mm::api {

// A ModelMonitor object as the operator reads it from the API (the reconciler, the
// webhook, the label gateway, the controller's pod index): read once with the API's
// one parser, its selector compiled for matching pods and for labelSelector queries.
// The metadata is there even when the spec is refused, so the refusal can be
// reported on the object.
struct ParsedMonitor {
  ObjectMeta meta;
  std::optional<ModelMonitor> monitor;          // set when the object parses
  std::optional<kube::LabelSelector> selector;  // set with `monitor`
  std::string error;                            // why not: "spec.alerts[0].window: ..."

  bool ok() const { return monitor.has_value(); }
  static ParsedMonitor FromJson(const nlohmann::json& object);
};

}  // namespace mm::api
