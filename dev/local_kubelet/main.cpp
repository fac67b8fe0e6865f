// mm-local-kubelet: runs the pods of some namespaces as local processes, for the
// demo and end-to-end tests on a machine with a control plane and no container
// runtime. main only parses flags and wires objects.
#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>

#include "common/kube/kubeconfig.h"
#include "common/kube/rest_kube_client.h"
#include "common/log.h"
#include "dev/local_kubelet/local_kubelet.h"

int main(int argc, char** argv) {
  CLI::App app{"mm-local-kubelet: plays the kubelet for pods, with local processes"};
  std::string kubeconfig, config_file;
  mm::dev::LocalKubeletOptions o;
  int sync_ms = 500, max_grace_s = 10, volume_refresh_ms = 60000;
  app.add_option("--kubeconfig", kubeconfig, "Kubeconfig of the cluster (else $KUBECONFIG)");
  app.add_option("--namespace,-n", o.namespaces, "Namespace whose pods to run (repeatable)")
      ->required();
  app.add_option("--config", config_file, "YAML: image -> command (see docs/local-kubelet.md)");
  app.add_option("--sidecar", o.sidecar_binary, "The modelmonitor-sidecar binary to run")
      ->capture_default_str();
  app.add_option("--node-name", o.node_name, "The Node this kubelet registers")
      ->capture_default_str();
  app.add_option("--first-address", o.first_address, "First pod IP (127.x.y.z, counting up)")
      ->capture_default_str();
  app.add_option("--state-dir", o.state_dir, "Folder for pod logs and emptyDir volumes")
      ->required();
  app.add_option("--sync-period-ms", sync_ms, "Milliseconds between syncs of every pod")
      ->capture_default_str();
  app.add_option("--volume-refresh-ms", volume_refresh_ms,
                 "Milliseconds between refreshes of running pods' configMap and secret volumes")
      ->capture_default_str();
  app.add_option("--max-grace", max_grace_s, "Seconds from SIGTERM to SIGKILL at most")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.sync_period = std::chrono::milliseconds(sync_ms);
  o.volume_refresh_period = std::chrono::milliseconds(volume_refresh_ms);
  o.max_grace = std::chrono::seconds(max_grace_s);
  if (!config_file.empty()) {
    auto config = mm::dev::LoadKubeletConfig(config_file);
    if (!config) {
      mm::log::Error("invalid configuration", {{"error", config.error().message}});
      return 2;
    }
    o.config = std::move(config.value());
  }
  if (!o.sidecar_binary.empty()) {
    std::error_code ec;
    o.sidecar_binary = std::filesystem::absolute(o.sidecar_binary, ec).string();
  }
  if (kubeconfig.empty()) {
    const char* env = std::getenv("KUBECONFIG");
    kubeconfig = env ? env : "";
  }
  auto cluster = mm::kube::ResolveClusterConfig(kubeconfig);
  if (!cluster) {
    mm::log::Error("no cluster", {{"error", cluster.error().message}});
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  mm::kube::RestKubeClient client(cluster.value());
  mm::dev::LocalKubelet kubelet(client, std::move(o));
  if (auto started = kubelet.Start(); !started) {
    mm::log::Error("cannot start", {{"error", started.error().message}});
    return 1;
  }
  int signal = 0;
  sigwait(&stop, &signal);
  mm::log::Info("stopping: every pod's processes get SIGTERM", {{"signal", signal}});
  kubelet.Stop();
  return 0;
}
