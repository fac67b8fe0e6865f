#include "sidecar/options.h"

namespace mm::sidecar {

void AddFlags(CLI::App& app, SidecarOptions* o) {
  app.add_option("--config", o->config_file,
                 "The ModelMonitor config file injected by the operator");
  app.add_option("--data-port", o->data_port, "Port for inference traffic")->capture_default_str();
  app.add_option("--admin-port", o->admin_port, "Port for /metrics, /v1/snapshot, /v1/labels")
      ->capture_default_str();
  app.add_option("--upstream", o->upstream, "The model server, host:port on localhost")
      ->capture_default_str();
  app.add_option("--log-level", o->log_level, "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
      ->capture_default_str();
}

}  // namespace mm::sidecar
