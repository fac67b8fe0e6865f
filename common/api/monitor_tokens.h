#pragma once

#include <string>
#include <string_view>

namespace mm::api {

// Each ModelMonitor owns one Secret in its namespace, created by the operator
// (ownerReference to the monitor, so it goes when the monitor goes), holding the
// two bearer tokens its sidecars check:
//   label-token  POST /v1/labels   — given to the team's label pipeline
//   admin-token  GET  /v1/snapshot — read only by the operator
// The webhook injects both into the sidecar as env vars from this Secret
// (secretKeyRef), so no token ever appears in a pod spec.
inline constexpr std::string_view kLabelTokenKey = "label-token";
inline constexpr std::string_view kAdminTokenKey = "admin-token";
inline constexpr std::string_view kLabelTokenEnv = "MM_LABEL_TOKEN";
inline constexpr std::string_view kAdminTokenEnv = "MM_ADMIN_TOKEN";

inline std::string TokenSecretName(std::string_view monitor) {
  return std::string(monitor) + "-modelmonitor-tokens";
}

}  // namespace mm::api
