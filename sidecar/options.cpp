#include "sidecar/options.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/api/sidecar_monitor_config.h"
#include "sidecar/monitor_config.h"

namespace mm::sidecar {

void AddFlags(CLI::App& app, SidecarOptions* o) {
  SidecarConfig& c = o->config;
  app.add_option("--config", o->config_file,
                 "The ModelMonitor config file (the operator mounts its ConfigMap); read again "
                 "every --config-check-every; env MM_MONITOR_CONFIG while the file is absent");
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
  std::map<std::string, api::Protocol> protocols;
  for (const auto& [value, name] : api::EnumNames<api::Protocol>::kNames) {
    protocols.emplace(name, value);
  }
  app.add_option("--protocol", c.protocol.protocol,
                 "How predictions are found: open-inference-v2, kserve-v1, openai or json "
                 "(default json)")
      ->transform(CLI::CheckedTransformer(protocols));
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

// The monitor a config text was made from, when it says (the injected form's
// `monitor`, or a whole ModelMonitor's metadata): texts of one monitor are
// ordered by its generation, which only grows. A text that does not parse names none.
std::optional<api::MonitorIdentity> IdentityOf(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  auto config = api::ParseSidecarMonitorConfig(j);
  if (!config || config->monitor.uid.empty()) return std::nullopt;
  return config->monitor;
}

// True when `text` is an older generation of the monitor `than` was made from:
// a mounted file the kubelet has not refreshed yet, beside a pod's newer
// start-up config. Texts that do not name their monitor are never older.
bool OlderThan(const std::string& text, const std::string& than) {
  const auto a = IdentityOf(text), b = IdentityOf(than);
  return a && b && a->uid == b->uid && a->generation < b->generation;
}

// The --config file's text, or nullopt when it is not there (yet): a ConfigMap
// mounted `optional` is an empty folder until the kubelet's first sync after the
// ConfigMap is created, and loses its files when the ConfigMap is deleted.
Result<std::optional<std::string>> ReadConfigFile(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);  // follows ..data symlinks
  if (status.type() == std::filesystem::file_type::not_found) {
    return std::optional<std::string>();
  }
  auto read = ReadFile("--config", path);
  if (!read) return read.error();
  return std::optional<std::string>(std::move(read.value()));
}

// Start-up: the --config file when it is there, unless it is an older generation
// than MM_MONITOR_CONFIG; MM_MONITOR_CONFIG while the file is absent (the webhook
// gives an injected sidecar both: the env var is fixed at pod creation, the file
// follows the monitor). `file_failed`: the file's text did not load, use the env.
Result<SpecText> ReadMonitorSpec(const SidecarOptions& o, const char* (*env)(const char*),
                                 bool file_failed = false) {
  const char* v = env("MM_MONITOR_CONFIG");
  SpecText from_env{v == nullptr ? "" : v, "MM_MONITOR_CONFIG"};
  if (o.config_file.empty()) return from_env;
  auto file = ReadConfigFile(o.config_file);
  if (!file) return file.error();
  if (!file->has_value() || file_failed) {
    if (v == nullptr) return Error{"--config: cannot read " + o.config_file};
    return from_env;
  }
  if (v != nullptr && OlderThan(**file, from_env.text)) return from_env;
  return SpecText{std::move(**file), SpecOrigin(o)};
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
  if (!config && text->origin != "MM_MONITOR_CONFIG" && env("MM_MONITOR_CONFIG") != nullptr) {
    // A broken file beside a start-up config: start with the latter; the reloader
    // then tries the file, refuses it, and logs and counts why.
    text = ReadMonitorSpec(o, env, /*file_failed=*/true);
    if (!text) return text.error();
    config = ConfigFromSpec(o, *text, env);
  }
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
  source.read = [o, env](const std::string& live) -> Result<std::string> {
    if (o.config_file.empty()) return live;  // the environment never changes
    auto file = ReadConfigFile(o.config_file);
    if (!file) return file.error();
    if (!file->has_value()) {
      // Absent (not yet synced, or the ConfigMap was deleted): no news. With
      // MM_MONITOR_CONFIG the live config stays (going back to the start-up
      // config would undo newer generations); without it there is nothing to serve.
      if (env("MM_MONITOR_CONFIG") != nullptr) return live;
      return Error{"--config: cannot read " + o.config_file};
    }
    // A file older than the live config (the same monitor, a lower generation) is
    // one the kubelet has not refreshed yet: the live config is newer and stays.
    if (OlderThan(**file, live)) return live;
    return std::move(**file);
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
