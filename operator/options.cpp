#include "operator/options.h"

#include "common/api/duration.h"
#include "operator/yaml_config.h"

namespace mm::op {
namespace {

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto d = api::ParseDuration(value);
        return d ? "" : d.error().message;
      },
      "DURATION");
}

}  // namespace

void AddFlags(CLI::App& app, OperatorOptions* o) {
  app.config_formatter(std::make_shared<YamlConfig>());
  app.set_config("--config", "",
                 "YAML file of flag values (keys are flag names without the dashes); flags given "
                 "on the command line win");
  app.add_option("--kubeconfig", o->kubeconfig,
                 "Path to a kubeconfig; default $KUBECONFIG, then the in-cluster service account");
  app.add_option("--log-level", o->log_level, "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
      ->capture_default_str();
  app.add_flag("--check-connection", o->check_connection,
               "Connect to the Kubernetes API, print its version and exit");
  app.add_option("--namespace", o->watch_namespace,
                 "Watch ModelMonitors, pods and targets in this namespace only; default all");
  app.add_option("--workers", o->workers, "Reconciles that may run at once (different monitors)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--health-address", o->health_address,
                 "Address of the port serving /healthz, /readyz and /metrics")
      ->capture_default_str();
  app.add_option("--health-port", o->health_port,
                 "Port serving /healthz, /readyz (ready once caches synced) and /metrics "
                 "(Prometheus); 0 picks a free port")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--leader-elect", o->leader_elect,
                 "Elect a leader on a coordination.k8s.io Lease; only the leader reconciles. "
                 "Turn off only when a single replica runs")
      ->capture_default_str();
  app.add_option("--leader-elect-namespace", o->leader_elect_namespace,
                 "Namespace of the Lease; default the pod's namespace ($POD_NAMESPACE), then "
                 "\"default\"");
  app.add_option("--leader-elect-lease-name", o->leader_elect_lease_name, "Name of the Lease")
      ->capture_default_str();
  app.add_option("--leader-elect-lease-duration", o->leader_elect_lease_duration,
                 "How long followers wait, after the last renewal they saw, before taking the "
                 "lease (client-go default 15s)")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--leader-elect-renew-deadline", o->leader_elect_renew_deadline,
                 "How long the leader keeps trying to renew before it stops all work (default "
                 "10s; less than the lease duration)")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--leader-elect-retry-period", o->leader_elect_retry_period,
                 "Time between tries to acquire or renew the lease (default 2s)")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--identity", o->identity,
                 "This replica's name in the Lease and in Events; default $POD_NAME or the "
                 "hostname, with a random suffix");
  app.add_flag("--webhook,!--no-webhook", o->webhook,
               "Serve the sidecar injection webhook (docs/injection.md); default on; off for a "
               "replica that only reconciles");
  app.add_flag("--api,!--no-api", o->api,
               "Serve the operator's HTTPS API: the label gateway (docs/operator-api.md); "
               "default on");
  app.add_option("--list-page-size", o->list_page_size,
                 "Items per page when informers LIST (limit/continue)")
      ->check(CLI::Range(int64_t{1}, int64_t{10000}))
      ->capture_default_str();
  app.add_option("--watch-timeout", o->watch_timeout,
                 "Each watch is renewed after a random time between this and twice this")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--evaluation-interval", o->evaluation_interval,
                 "How often the leader pulls every monitor's sidecar snapshots and evaluates "
                 "its alerts")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--snapshot-timeout", o->snapshot_timeout,
                 "How long one sidecar may take to answer GET /v1/snapshot before it is "
                 "reported as not answering")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--snapshot-concurrency", o->snapshot_concurrency,
                 "Sidecars of one monitor asked for their snapshot at the same time")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_flag("--prometheus-objects,!--no-prometheus-objects", o->prometheus_objects,
               "Keep a PodMonitor and a PrometheusRule (from spec.alerts) per ModelMonitor "
               "when the API server serves monitoring.coreos.com/v1 (docs/alerts.md); "
               "default off");
  app.add_option("--prometheus-objects-label", o->prometheus_objects_labels,
                 "A key=value label for those PodMonitors and PrometheusRules (the one your "
                 "Prometheus' podMonitorSelector and ruleSelector look for); repeatable");
  app.add_option("--shutdown-timeout", o->shutdown_timeout,
                 "On SIGTERM, how long to wait for running reconciles before exiting")
      ->check(DurationValidator())
      ->capture_default_str();
}

}  // namespace mm::op
