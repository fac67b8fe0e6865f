#pragma once

#include <map>
#include <string>

namespace mm::testing {

// One kind of Kubernetes API request as RBAC sees it: verb, API group ("" for
// the core group), resource and subresource.
struct ApiCall {
  std::string verb;
  std::string group;
  std::string resource;
  std::string subresource;

  // "verb group/resource/subresource", e.g. "update modelmonitor.io/modelmonitors/status".
  std::string ToString() const;
  auto operator<=>(const ApiCall&) const = default;
};

using ApiCalls = std::map<ApiCall, int>;  // how often each was made

// The resource requests in a kube-apiserver audit log (JSON, one event per
// line; tests/controlplane writes logs/audit.log) whose User-Agent starts with
// `user_agent_prefix`. Requests for non-resource URLs (/version) are left out.
ApiCalls ApiCallsInAuditLog(const std::string& path, const std::string& user_agent_prefix);

// One call per line: count, verb, group, resource, subresource, tab-separated.
std::string FormatApiCalls(const ApiCalls& calls);
ApiCalls ParseApiCalls(const std::string& text);

// Where the integration tests leave the operator's calls, one file per test
// binary: $MM_API_CALLS_DIR (set by ctest), or "" when unset.
std::string ApiCallsDir();

}  // namespace mm::testing
