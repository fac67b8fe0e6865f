#pragma once

// Pods and ModelMonitors as the API server sends them, for the webhook's unit tests.
#include <nlohmann/json.hpp>
#include <string>

#include "common/api/parsed_monitor.h"

namespace mm::webhook::testing {

// A model pod as a ReplicaSet creates it: one container serving on port 8000 "http",
// probed by name.
inline nlohmann::json ModelPod(nlohmann::json labels = {{"app", "fraud"}}) {
  using nlohmann::json;
  json container = {
      {"name", "model"},
      {"image", "fraud:v1"},
      {"ports", json::array({{{"name", "http"}, {"containerPort", 8000}, {"protocol", "TCP"}}})},
      {"readinessProbe", {{"httpGet", {{"path", "/ready"}, {"port", "http"}}}}},
      {"livenessProbe", {{"tcpSocket", {{"port", 8000}}}}}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"generateName", "fraud-7d9f-"}, {"labels", labels}}},
          {"spec", {{"containers", json::array({container})}}}};
}

inline nlohmann::json MonitorObject(const std::string& name, nlohmann::json selector,
                                    nlohmann::json spec_extra = nlohmann::json::object()) {
  nlohmann::json spec = {{"selector", selector},
                         {"serving", {{"port", "http"}, {"protocol", "json"}}},
                         {"target", {{"kind", "Deployment"}, {"name", name}}}};
  spec.update(spec_extra);
  return {{"apiVersion", "modelmonitor.io/v1alpha1"},
          {"kind", "ModelMonitor"},
          {"metadata",
           {{"name", name},
            {"namespace", "ml"},
            {"uid", "uid-" + name},
            {"generation", 3},
            {"creationTimestamp", "2026-11-01T10:00:00Z"}}},
          {"spec", spec}};
}

inline api::ParsedMonitor Monitor(const std::string& name = "fraud",
                                  nlohmann::json selector = {{"matchLabels", {{"app", "fraud"}}}},
                                  nlohmann::json spec_extra = nlohmann::json::object()) {
  return api::ParsedMonitor::FromJson(MonitorObject(name, selector, spec_extra));
}

}  // namespace mm::webhook::testing
