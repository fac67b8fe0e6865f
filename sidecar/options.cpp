#include "sidecar/options.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sidecar/monitor_config.h"

namespace mm::sidecar {

void AddFlags(CLI::App& app, SidecarOptions* o) {
  SidecarConfig& c = o->config;
  app.add_option("--config", o->config_file,
                 "The ModelMonitor config file injected by the operator");
  app.add_option("--data-port", o->data_port, "Port for inference traffic")->capture_default_str();
  app.add_option("--admin-port", o->admin_port, "Port for /metrics, /v1/snapshot, /v1/labels")
      ->capture_default_str();
  app.add_option("--upstream", o->upstream, "The model server, host:port on localhost")
      ->each([o](const std::string&) { o->upstream_given = true; })
      ->capture_default_str();
  app.add_option("--store-dir", o->store_dir,
                 "Folder of the prediction database (else env MM_STORE_DIR)");
  app.add_option("--label-token-file", o->label_token_file,
                 "File holding the bearer token for POST /v1/labels (else env MM_LABEL_TOKEN)");
  app.add_option("--listen-address", o->listen_address,
                 "Address the data and admin ports bind to (default: all, 0.0.0.0)");
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

namespace {

const char* GetEnv(const char* name) { return std::getenv(name); }

Result<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{flag + ": cannot read " + path};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The spec's JSON: the file, else the environment; null when neither is given.
Result<nlohmann::json> MonitorSpecJson(const SidecarOptions& o, const char* (*env)(const char*)) {
  std::string text;
  std::string origin = "MM_MONITOR_CONFIG";
  if (!o.config_file.empty()) {
    auto read = ReadFile("--config", o.config_file);
    if (!read) return read.error();
    text = std::move(read.value());
    origin = "--config " + o.config_file;
  } else if (const char* v = env("MM_MONITOR_CONFIG"); v != nullptr && *v != '\0') {
    text = v;
  } else {
    return nlohmann::json();
  }
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{origin + ": not a JSON object (the ModelMonitor spec)"};
  }
  if (j.contains("spec") && j["spec"].is_object()) return j["spec"];  // a whole ModelMonitor
  return j;
}

}  // namespace

Result<SidecarConfig> ConfigFromOptions(const SidecarOptions& o, const char* (*env)(const char*)) {
  if (env == nullptr) env = GetEnv;
  SidecarConfig c = o.config;
  c.proxy.port = o.data_port;
  c.admin_port = o.admin_port;
  auto spec = MonitorSpecJson(o, env);
  if (!spec) return spec.error();
  c.proxy.upstream_port = 0;  // the spec's port, if it names one by number
  if (!spec->is_null()) {
    if (auto applied = ApplyMonitorSpec(*spec, &c); !applied) {
      return Error{"ModelMonitor config: " + applied.error().message};
    }
  }
  if (c.ground_truth) {
    c.ground_truth->store_dir = o.store_dir;
    if (const char* v = env("MM_STORE_DIR"); c.ground_truth->store_dir.empty() && v != nullptr) {
      c.ground_truth->store_dir = v;
    }
  }
  if (!o.label_token_file.empty()) {
    auto token = ReadFile("--label-token-file", o.label_token_file);
    if (!token) return token.error();
    c.label_token = std::move(token.value());
    while (!c.label_token.empty() &&
           std::isspace(static_cast<unsigned char>(c.label_token.back()))) {
      c.label_token.pop_back();
    }
  } else if (const char* v = env("MM_LABEL_TOKEN"); v != nullptr) {
    c.label_token = v;
  }
  if (!o.listen_address.empty()) {
    c.proxy.listen_address = o.listen_address;
    c.admin_address = o.listen_address;
  }
  const uint16_t spec_port = c.proxy.upstream_port;
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
  if (spec_port != 0 && !o.upstream_given) c.proxy.upstream_port = spec_port;
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
