#include "tests/support/namespaced_operator.h"

#include <unistd.h>

#include "dev/local_kubelet/kubelet_config.h"
#include "tests/support/sidecar_process.h"

namespace mm::testing {

using namespace std::chrono_literals;

op::ControllerOptions NamespacedControllerOptions(const std::string& ns,
                                                  const std::string& identity) {
  op::ControllerOptions o;
  o.watch_namespace = ns;
  o.identity = identity;
  o.leader.lease_namespace = ns;
  o.watch_timeout = 60s;
  return o;
}

webhook::SidecarInjectorOptions LoopbackWebhookOptions(const std::string& ns,
                                                       const std::string& name) {
  webhook::SidecarInjectorOptions w;
  w.address = "127.0.0.1";
  w.port = 0;
  w.configuration.service_namespace = ns;
  w.configuration.url = "https://127.0.0.1:{port}/mutate-v1-pod";
  w.configuration.name = name;
  w.secret.ns = ns;
  w.secret.serving.common_name = "modelmonitor-webhook." + ns + ".svc";
  w.secret.serving.dns_names = {w.secret.serving.common_name};
  w.secret.serving.ip_addresses = {"127.0.0.1"};
  return w;
}

std::string FirstPodAddress() {
  const int pid = static_cast<int>(getpid());
  return "127." + std::to_string(100 + pid % 100) + "." + std::to_string(1 + (pid / 100) % 250) +
         ".2";
}

Result<dev::LocalKubeletOptions> FastKubeletOptions(const std::string& ns,
                                                    const std::string& state_dir,
                                                    const std::string& config_yaml) {
  auto config = dev::ParseKubeletConfig(config_yaml);
  if (!config) return config.error();
  dev::LocalKubeletOptions o;
  o.namespaces = {ns};
  o.node_name = "local-" + ns;
  o.first_address = FirstPodAddress();
  o.state_dir = state_dir;
  o.sidecar_binary = SidecarBinary();
  o.sync_period = 200ms;
  o.initial_backoff = 200ms;
  o.max_backoff = 1s;
  o.max_grace = 3s;
  o.config = std::move(config).value();
  return o;
}

bool PodIsReady(const nlohmann::json& pod) {
  for (const auto& c : pod["status"].value("conditions", nlohmann::json::array())) {
    if (c["type"] == "Ready") return c["status"] == "True";
  }
  return false;
}

}  // namespace mm::testing
