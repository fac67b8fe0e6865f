#pragma once

#include <map>
#include <string>

namespace mm::kube {

// Builds API paths: ResourcePath{"apps/v1", "deployments", "ns", "name"}.Url() is
// "/apis/apps/v1/namespaces/ns/deployments/name"; "v1" (the core group) maps to /api/v1.
struct ResourcePath {
  std::string api_version;  // "v1", "apps/v1", "modelmonitor.io/v1alpha1"
  std::string resource;     // plural: "pods", "deployments", "modelmonitors"
  std::string ns;           // empty for cluster-scoped resources or all namespaces
  std::string name;         // empty for collections
  std::string subresource;  // "status", "scale", ...
  std::map<std::string, std::string> query;

  std::string Url() const;
};

// Percent-encodes a query value (label selectors contain '=', ',', '!').
std::string UrlEncode(const std::string& value);

}  // namespace mm::kube
