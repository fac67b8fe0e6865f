#pragma once

// Deployments as the tests create them, in one place.
#include <nlohmann/json.hpp>
#include <string>

namespace mm::testing {

// A container named "model" running `image`, declaring `port` (named `port_name`) when
// `port` is not 0.
nlohmann::json ModelContainer(const std::string& image, int port = 0,
                              const std::string& port_name = "http");

// {metadata: {labels, annotations}, spec: {containers: [container]} + spec_extra}.
nlohmann::json PodTemplate(const nlohmann::json& labels, const nlohmann::json& container,
                           const nlohmann::json& annotations = nlohmann::json::object(),
                           const nlohmann::json& spec_extra = nlohmann::json::object());

// An apps/v1 Deployment `name` of `replicas` pods from `pod_template`; its selector is
// `selector` (matchLabels), which the template's labels must include.
nlohmann::json Deployment(const std::string& name, int replicas, const nlohmann::json& pod_template,
                          const nlohmann::json& selector);

// The usual shape: pods labelled app=<name>, one model container.
nlohmann::json Deployment(const std::string& name, int replicas, const nlohmann::json& container);

}  // namespace mm::testing
