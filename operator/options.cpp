#include "operator/options.h"

namespace mm::op {

void AddFlags(CLI::App& app, OperatorOptions* o) {
  app.add_option("--kubeconfig", o->kubeconfig,
                 "Path to a kubeconfig; default $KUBECONFIG, then the in-cluster service account");
  app.add_option("--log-level", o->log_level, "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
      ->capture_default_str();
  app.add_flag("--check-connection", o->check_connection,
               "Connect to the Kubernetes API, print its version and exit");
}

}  // namespace mm::op
