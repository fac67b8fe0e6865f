#include "sidecar/options.h"

#include <cmath>

namespace mm::sidecar {

void AddFlags(CLI::App& app, SidecarOptions* o) {
  SidecarConfig& c = o->config;
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
  app.add_option("--protocol", c.protocol.protocol,
                 "How predictions are found: open-inference-v2, kserve-v1, openai or json")
      ->check(CLI::IsMember({"open-inference-v2", "kserve-v1", "openai", "json"}))
      ->capture_default_str();
  app.add_option("--output-path", c.protocol.output_path,
                 "json protocol: where the predictions are, e.g. $.predictions")
      ->capture_default_str();
  app.add_option("--request-id-header", c.proxy.request_id_header,
                 "Header carrying the prediction id (made when absent, always returned)")
      ->capture_default_str();
  app.add_option("--sample-rate", c.proxy.sample_rate,
                 "Share of requests whose predictions are recorded, 0..1 (all are timed)")
      ->capture_default_str();
  app.add_option("--max-body-bytes", c.proxy.max_body_bytes, "Largest request body (413 beyond)")
      ->capture_default_str();
  app.add_option("--max-header-bytes", c.proxy.max_header_bytes,
                 "Largest request or response head (431 / 502 beyond)")
      ->capture_default_str();
  app.add_option("--upstream-timeout", o->upstream_timeout_seconds,
                 "Seconds to wait for the model's response head or next bytes (504 beyond)")
      ->capture_default_str();
  app.add_option("--client-timeout", o->client_timeout_seconds,
                 "Seconds a client connection may stay idle or take to send a request")
      ->capture_default_str();
  app.add_option("--threads", c.proxy.threads, "Data-path event loops (cores used)")
      ->capture_default_str();
  app.add_option("--model-revision", c.proxy.model_revision,
                 "Stored with each recorded prediction (e.g. the pod-template-hash)");
  app.add_option("--model-pid", c.resources.model_pid,
                 "The model's process id (default: the process listening on the upstream port)");
  app.add_option("--sample-resources-every", c.resources.interval,
                 "Milliseconds between samples of the model's CPU, memory and GPU")
      ->capture_default_str();
  app.add_option("--prediction-queue", c.prediction_queue,
                 "Recorded predictions waiting for the store; more are dropped and counted")
      ->capture_default_str();
}

Result<SidecarConfig> ConfigFromOptions(const SidecarOptions& o) {
  SidecarConfig c = o.config;
  c.proxy.port = o.data_port;
  c.admin_port = o.admin_port;
  const size_t colon = o.upstream.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error{"--upstream: \"" + o.upstream + "\" is not host:port (use 127.0.0.1:8000)"};
  }
  c.proxy.upstream_host = o.upstream.substr(0, colon);
  const std::string port = o.upstream.substr(colon + 1);
  char* end = nullptr;
  const long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 1 || p > 65535) {
    return Error{"--upstream: port \"" + port + "\" is not 1..65535 (use 127.0.0.1:8000)"};
  }
  c.proxy.upstream_port = static_cast<uint16_t>(p);
  for (auto [flag, seconds, out] :
       {std::tuple{"--upstream-timeout", o.upstream_timeout_seconds, &c.proxy.upstream_timeout},
        std::tuple{"--client-timeout", o.client_timeout_seconds, &c.proxy.client_timeout}}) {
    if (!(seconds > 0) || seconds > 86400) {
      return Error{std::string(flag) + ": " + std::to_string(seconds) +
                   " is not a number of seconds in (0, 86400]"};
    }
    *out = std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
  }
  return c;
}

}  // namespace mm::sidecar
