#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "sidecar/config_reloader.h"
#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// The sidecar's flags. They fill a SidecarConfig; the operator's injected
// ModelMonitor spec (--config or MM_MONITOR_CONFIG) is mapped onto the same struct
// by ApplyMonitorSpec.
struct SidecarOptions {
  std::string config_file;  // a ModelMonitor spec (JSON); while absent, env MM_MONITOR_CONFIG
  // How often the --config file is read again for a reload; 0: only on SIGHUP.
  std::chrono::milliseconds config_check_every{2000};
  std::string store_dir;                    // else env MM_STORE_DIR; else a temporary folder
  std::string label_token_file;             // else env MM_LABEL_TOKEN; else label posts are refused
  std::string admin_token_file;             // else env MM_ADMIN_TOKEN; else snapshots are refused
  std::string listen_address;               // empty: 0.0.0.0 (data and admin ports)
  bool upstream_given = false;              // --upstream was on the command line: it beats the spec
  uint16_t data_port = 8080;                // where clients send inference requests
  uint16_t admin_port = 9090;               // /metrics, /v1/snapshot, /v1/labels, /healthz
  std::string upstream = "127.0.0.1:8000";  // the model server on localhost
  std::string log_level = "info";
  double upstream_timeout_seconds = 60;
  double client_timeout_seconds = 60;
  SidecarConfig config;  // the remaining settings, bound to flags directly
};

void AddFlags(CLI::App& app, SidecarOptions* options);

// The config the flags describe (data/admin port, upstream split into host and port),
// with the ModelMonitor spec mapped on by ApplyMonitorSpec; --upstream, when given,
// overrides the spec's port. The spec: the --config file; MM_MONITOR_CONFIG while
// that file is absent (an injected sidecar gets both: the env var fixed at pod
// creation, the file a mounted ConfigMap that follows the monitor), or when the
// file is an older generation of the same monitor, or does not load. `env` reads
// an environment variable (nullptr when unset), injected for tests.
Result<SidecarConfig> ConfigFromOptions(const SidecarOptions& options,
                                        const char* (*env)(const char*) = nullptr);

// Where a reload finds the config: the --config file, read again on each check.
// The file is newer than MM_MONITOR_CONFIG (the env var cannot change while the
// process runs): once it appears it is served; while it is absent, or when it
// holds an older generation of the live config's monitor (a kubelet that has not
// synced yet), the live config stays. A text is turned into a config by the same
// steps as ConfigFromOptions and checked by SidecarConfig::Validate, as at start;
// only the bearer tokens are not read again (they are read once, at start).
ConfigSource ReloadSourceFromOptions(const SidecarOptions& options,
                                     const char* (*env)(const char*) = nullptr);

}  // namespace mm::sidecar
