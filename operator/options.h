#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace mm::op {

// The operator's flags. Each later concern (webhook, API, evaluation) adds its
// own fields here, with a --help text that documents it. Every flag can also
// be set in the YAML file given by --config (keys are the flag names without
// dashes: `leader-elect-lease-duration: 15s`); the command line wins.
struct OperatorOptions {
  std::string kubeconfig;  // empty: $KUBECONFIG, then in-cluster
  std::string log_level = "info";
  bool check_connection = false;

  std::string watch_namespace;  // empty: all namespaces
  int workers = 2;
  std::string health_address = "0.0.0.0";
  int health_port = 8081;  // /healthz, /readyz, /metrics; 0 picks a free port

  bool leader_elect = true;
  std::string leader_elect_namespace;  // empty: the pod's namespace (or "default")
  std::string leader_elect_lease_name = "modelmonitor-operator";
  std::string leader_elect_lease_duration = "15s";
  std::string leader_elect_renew_deadline = "10s";
  std::string leader_elect_retry_period = "2s";
  std::string identity;  // empty: $POD_NAME or the hostname, plus a random suffix

  bool webhook = true;  // serve the sidecar injection webhook (webhook_flags.h)
  bool api = true;      // serve the operator API (operator/endpoints/api_flags.h)

  int64_t list_page_size = 500;
  std::string watch_timeout = "5m";
  std::string shutdown_timeout = "20s";

  std::string evaluation_interval = "15s";  // alerts: pull snapshots and evaluate this often
  std::string snapshot_timeout = "5s";      // one sidecar's GET /v1/snapshot
  int snapshot_concurrency = 8;             // sidecars of one monitor asked at once

  // Keep a PodMonitor and a PrometheusRule per monitor (operator/prometheus/).
  bool prometheus_objects = false;
  std::vector<std::string> prometheus_objects_labels;  // "key=value", on both objects
};

void AddFlags(CLI::App& app, OperatorOptions* options);

}  // namespace mm::op
