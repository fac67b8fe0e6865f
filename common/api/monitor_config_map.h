#pragma once

#include <string>
#include <string_view>

namespace mm::api {

// Each ModelMonitor owns one ConfigMap in its namespace, kept by the operator's
// reconciler (ownerReference to the monitor, so it goes when the monitor goes),
// holding the sidecar's config under one key: the same JSON text, byte for byte,
// that the webhook injects as MM_MONITOR_CONFIG. The webhook mounts it (optional,
// read-only) into every injected sidecar and passes --config <file>, so a running
// sidecar follows spec changes: the kubelet refreshes the mounted file, the
// sidecar reads it every 2 s (docs/injection.md, "How the sidecar follows the
// monitor").
inline constexpr std::string_view kSidecarConfigKey = "monitor.json";
inline constexpr std::string_view kSidecarConfigVolume = "modelmonitor-config";
inline constexpr std::string_view kSidecarConfigMountPath = "/etc/modelmonitor";

inline std::string SidecarConfigMapName(std::string_view monitor) {
  return std::string(monitor) + "-modelmonitor-config";
}

// The file the injected sidecar is given with --config.
inline std::string SidecarConfigFile() {
  return std::string(kSidecarConfigMountPath) + "/" + std::string(kSidecarConfigKey);
}

}  // namespace mm::api
