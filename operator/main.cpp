// modelmonitor-operator: watches ModelMonitors, injects the sidecar, evaluates
// alerts and repairs models. main only parses flags and wires objects.
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/kube/kubeconfig.h"
#include "common/kube/rest_kube_client.h"
#include "common/log.h"
#include "operator/options.h"

int main(int argc, char** argv) {
  CLI::App app{"modelmonitor-operator: keeps ML models healthy on Kubernetes"};
  app.set_version_flag("--version", std::string("modelmonitor-operator ") + MM_VERSION);
  mm::op::OperatorOptions options;
  mm::op::AddFlags(app, &options);
  CLI11_PARSE(app, argc, argv);
  mm::log::Level level;
  if (mm::log::ParseLevel(options.log_level, &level)) mm::log::SetMinLevel(level);

  auto config = mm::kube::ResolveClusterConfig(options.kubeconfig);
  if (!config) {
    mm::log::Error("no cluster configuration", {{"error", config.error().message}});
    return 1;
  }
  mm::kube::RestKubeClient client(config.value());
  auto version = client.Get("/version");
  if (!version.ok()) {
    mm::log::Error("cannot reach the Kubernetes API",
                   {{"server", config->server}, {"error", version.Message()}});
    return 1;
  }
  if (options.check_connection) {
    std::cout << version.body.value("gitVersion", "unknown") << "\n";
    return 0;
  }
  mm::log::Error("the controller loop is not built yet; only --check-connection works");
  return 1;
}
