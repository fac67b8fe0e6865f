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
  app.add_option("--config-check-every", o->config_check_every,
                 "Milliseconds between reads of the --config file for a reload; 0: on SIGHUP only")
      ->capture_default_str();
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
  app.add_option("--admin-token-file", o->admin_token_file,
                 "File holding the bearer token for GET /v1/snapshot (else env MM_ADMIN_TOKEN)");
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
  app.add_option("--request-id-header", c.requests.request_id_header,
                 "Header carrying the prediction id (made when absent, always returned)")
      ->capture_default_str();
  app.add_option("--sample-rate", c.requests.sample_rate,
                 "Share of requests whose predictions are recorded, 0..1 (all are timed)")
      ->capture_default_str();
  app.add_option("--max-body-bytes", c.requests.max_body_bytes, "Largest request body (413 beyond)")
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

// The spec's text and where it came from: the file, else the environment; the
// text is empty when neither is given.
struct SpecText {
  std::string text;
  std::string origin;
};

std::string SpecOrigin(const SidecarOptions& o) {
  return o.config_file.empty() ? "MM_MONITOR_CONFIG" : "--config " + o.config_file;
}

Result<SpecText> ReadMonitorSpec(const SidecarOptions& o, const char* (*env)(const char*)) {
  if (!o.config_file.empty()) {
    auto read = ReadFile("--config", o.config_file);
    if (!read) return read.error();
    return SpecText{std::move(read.value()), SpecOrigin(o)};
  }
  const char* v = env("MM_MONITOR_CONFIG");
  return SpecText{v == nullptr ? "" : v, SpecOrigin(o)};
}

// The spec's JSON; null when there is no text.
Result<nlohmann::json> MonitorSpecJson(const SpecText& spec) {
  if (spec.text.empty()) return nlohmann::json();
  auto j = nlohmann::json::parse(spec.text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Error{spec.origin + ": not a JSON object (the ModelMonitor spec)"};
  }
  if (j.contains("spec") && j["spec"].is_object()) return j["spec"];  // a whole ModelMonitor
  return j;
}

// A bearer token: the file's content without trailing whitespace, else the
// environment variable, else empty (the endpoint then refuses every request).
Result<std::string> TokenFrom(const std::string& flag, const std::string& file,
                              const char* env_name, const char* (*env)(const char*)) {
  if (file.empty()) {
    const char* v = env(env_name);
    return std::string(v == nullptr ? "" : v);
  }
  auto token = ReadFile(flag, file);
  if (!token) return token.error();
  std::string t = std::move(token.value());
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  return t;
}

// The config the flags and the spec's text describe: everything but the bearer
// tokens (ConfigFromOptions reads those, once).
Result<SidecarConfig> ConfigFromSpec(const SidecarOptions& o, const SpecText& text,
                                     const char* (*env)(const char*)) {
  SidecarConfig c = o.config;
  c.monitor_spec = text.text;
  c.proxy.port = o.data_port;
  c.admin_port = o.admin_port;
  auto spec = MonitorSpecJson(text);
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

}  // namespace

Result<SidecarConfig> ConfigFromOptions(const SidecarOptions& o, const char* (*env)(const char*)) {
  if (env == nullptr) env = GetEnv;
  auto text = ReadMonitorSpec(o, env);
  if (!text) return text.error();
  auto config = ConfigFromSpec(o, *text, env);
  if (!config) return config;
  SidecarConfig& c = config.value();
  auto label_token = TokenFrom("--label-token-file", o.label_token_file, "MM_LABEL_TOKEN", env);
  if (!label_token) return label_token.error();
  c.label_token = std::move(label_token.value());
  auto admin_token = TokenFrom("--admin-token-file", o.admin_token_file, "MM_ADMIN_TOKEN", env);
  if (!admin_token) return admin_token.error();
  c.admin_token = std::move(admin_token.value());
  return config;
}

ConfigSource ReloadSourceFromOptions(const SidecarOptions& o, const char* (*env)(const char*)) {
  if (env == nullptr) env = GetEnv;
  ConfigSource source;
  source.origin = SpecOrigin(o);
  source.read = [o, env]() -> Result<std::string> {
    auto text = ReadMonitorSpec(o, env);
    if (!text) return text.error();
    return std::move(text->text);
  };
  source.load = [o, env, origin = source.origin](const std::string& text) -> Result<SidecarConfig> {
    auto config = ConfigFromSpec(o, {text, origin}, env);
    if (!config) return config;
    if (auto valid = config->Validate(); !valid) {
      return Error{"ModelMonitor config: " + valid.error().message};
    }
    return config;
  };
  // The environment cannot change under a running process: nothing to poll.
  if (!o.config_file.empty()) source.poll_every = o.config_check_every;
  return source;
}

}  // namespace mm::sidecar
