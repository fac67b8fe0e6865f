#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace mm::sidecar {

// The sidecar's flags; the injected ModelMonitor config file overrides defaults.
struct SidecarOptions {
  std::string config_file;
  uint16_t data_port = 8080;                // where clients send inference requests
  uint16_t admin_port = 9090;               // /metrics, /v1/snapshot, /v1/labels, /healthz
  std::string upstream = "127.0.0.1:8000";  // the model server on localhost
  std::string log_level = "info";
};

void AddFlags(CLI::App& app, SidecarOptions* options);

}  // namespace mm::sidecar
