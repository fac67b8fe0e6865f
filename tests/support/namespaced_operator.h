#pragma once

// The parts of modelmonitor-operator and of a node that integration tests run
// in-process, each confined to the test's own namespace.

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "dev/local_kubelet/local_kubelet.h"
#include "operator/controller_options.h"
#include "operator/webhook/sidecar_injector.h"

namespace mm::testing {

// The operator (op::Controller) watching `ns` only and leading through a Lease
// there, its watches renewed every 60 s.
op::ControllerOptions NamespacedControllerOptions(const std::string& ns,
                                                  const std::string& identity);

// What `modelmonitor-operator --webhook-url=https://127.0.0.1:{port}/mutate-v1-pod
// --webhook-port=0 --webhook-namespace=<ns>` runs: the webhook on a free loopback
// port, its serving certificate (for 127.0.0.1) in a Secret of `ns`, registered
// as the MutatingWebhookConfiguration `name`.
webhook::SidecarInjectorOptions LoopbackWebhookOptions(const std::string& ns,
                                                       const std::string& name);

// A local kubelet (dev/local_kubelet) for `ns` that reacts fast: syncs every
// 200 ms, backs off 200 ms .. 1 s, gives 3 s of grace; injected sidecars run the
// built modelmonitor-sidecar; other images as `config_yaml` says. Pods get
// addresses from a loopback range of this process's own, so test binaries
// running side by side never give two pods one IP.
Result<dev::LocalKubeletOptions> FastKubeletOptions(const std::string& ns,
                                                    const std::string& state_dir,
                                                    const std::string& config_yaml);

// The first pod address FastKubeletOptions hands out (127.x.y.2, from the pid).
std::string FirstPodAddress();

// The pod's Ready condition is True.
bool PodIsReady(const nlohmann::json& pod);

}  // namespace mm::testing
