#pragma once

// The names users type on pods and namespaces to steer injection (docs/injection.md).
namespace mm::webhook {

// Pod annotation: "false" opts the pod out of injection.
inline constexpr char kInjectAnnotation[] = "modelmonitor.io/inject";
// Pod label with the same meaning; the webhook configuration's objectSelector uses
// it so the API server does not even call the webhook for such pods.
inline constexpr char kInjectLabel[] = "modelmonitor.io/inject";
// Pod annotation written by the webhook: "<monitor>@<sidecar version>".
inline constexpr char kInjectedAnnotation[] = "modelmonitor.io/injected";
// Namespace label: "disabled" turns injection off for the whole namespace.
inline constexpr char kInjectionNamespaceLabel[] = "modelmonitor.io/injection";

// Pod annotations overriding the sidecar's resources (Kubernetes quantities).
inline constexpr char kSidecarCpuAnnotation[] = "modelmonitor.io/sidecar-cpu";
inline constexpr char kSidecarMemoryAnnotation[] = "modelmonitor.io/sidecar-memory";
inline constexpr char kSidecarCpuLimitAnnotation[] = "modelmonitor.io/sidecar-cpu-limit";
inline constexpr char kSidecarMemoryLimitAnnotation[] = "modelmonitor.io/sidecar-memory-limit";

// What the webhook adds to a pod.
inline constexpr char kSidecarContainerName[] = "modelmonitor-sidecar";
inline constexpr char kStoreVolumeName[] = "modelmonitor-store";
inline constexpr char kTmpVolumeName[] = "modelmonitor-tmp";
inline constexpr char kStoreMountPath[] = "/var/lib/modelmonitor";
inline constexpr char kConfigEnv[] = "MM_MONITOR_CONFIG";

}  // namespace mm::webhook
