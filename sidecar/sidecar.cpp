#include "sidecar/sidecar.h"

#include <stdlib.h>

#include <filesystem>

#include "common/log.h"
#include "sidecar/admin/admin_endpoints.h"
#include "sidecar/admin/label_endpoint.h"

namespace mm::sidecar {

Result<std::unique_ptr<Sidecar>> Sidecar::Create(SidecarConfig config, ConfigSource source) {
  if (auto valid = config.Validate(); !valid) return valid.error();
  std::unique_ptr<Sidecar> s(new Sidecar(std::move(config)));
  auto serving = MakeServingConfig(s->config_.requests, s->config_.protocol);
  if (!serving) return serving.error();
  s->serving_ = std::make_unique<LiveServingConfig>(std::move(serving.value()));
  s->metrics_ = std::make_unique<SidecarMetrics>(s->config_.bucket_width, s->config_.bucket_count);
  if (s->config_.ground_truth) {
    if (auto opened = s->OpenGroundTruth(); !opened) return opened.error();
  }
  s->config_.resources.model_port = s->config_.proxy.upstream_port;
  s->resources_ = std::make_unique<ResourceSampler>(s->config_.resources, s->metrics_->registry());
  s->resources_->OnReading(
      [metrics = s->metrics_.get()] { metrics->ResourceRead(std::chrono::system_clock::now()); });
  s->proxy_ = std::make_unique<ProxyServer>(s->config_.proxy, *s->serving_, *s->metrics_,
                                            s->ground_truth_ ? &s->ground_truth_->sink() : nullptr);
  Sidecar* self = s.get();
  s->reloader_ = std::make_unique<ConfigReloader>(
      s->config_, std::move(source),
      [self](const SidecarConfig& next) { return self->ApplyReloaded(next); },
      s->metrics_->registry());
  http::ServerOptions admin;
  admin.address = s->config_.admin_address;
  admin.port = s->config_.admin_port;
  admin.max_body_bytes = LabelLimits{}.max_body_bytes;
  s->admin_ = std::make_unique<http::Server>(admin);
  AdminTargets targets{s->metrics_.get(), s->resources_.get(), s->ground_truth_.get(),
                       s->config_.proxy.upstream_host, s->config_.proxy.upstream_port};
  targets.admin_token = s->config_.admin_token;
  targets.config = s->reloader_.get();
  RegisterAdminEndpoints(*s->admin_, targets);
  if (s->ground_truth_) {
    RegisterLabelEndpoint(*s->admin_, s->ground_truth_.get(), s->config_.label_token);
  }
  return s;
}

Status Sidecar::OpenGroundTruth() {
  GroundTruthConfig& g = *config_.ground_truth;
  if (g.store_dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "mm-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Error{"cannot create a temporary prediction store folder in " + pattern};
    }
    g.store_dir = pattern;
    log::Warning(
        "no --store-dir (MM_STORE_DIR) given: predictions are kept in a temporary folder and "
        "lost with it",
        {{"storeDir", g.store_dir}});
  }
  std::error_code ec;
  std::filesystem::create_directories(g.store_dir, ec);
  if (ec) return Error{"store dir " + g.store_dir + ": cannot create it: " + ec.message()};
  GroundTruthOptions options;
  options.store.path = (std::filesystem::path(g.store_dir) / "predictions.db").string();
  options.store.limits = g.limits;
  options.queue.capacity = config_.prediction_queue;
  options.accuracy = g.accuracy;
  auto opened = GroundTruth::Open(std::move(options), [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  if (!opened) return opened.error();
  ground_truth_ = std::move(opened.value());
  const std::string window = std::to_string(g.report_window_ms / 1000) + "s";
  accuracy_gauges_ = std::make_unique<AccuracyGauges>(metrics_->registry(), window);
  accuracy_timer_ = std::make_unique<AccuracyTimer>(*ground_truth_, *accuracy_gauges_, g.refresh,
                                                    g.report_window_ms);
  return OkStatus();
}

Status Sidecar::ApplyReloaded(const SidecarConfig& next) {
  // Everything is built before anything is swapped: a refusal leaves the old.
  auto serving = MakeServingConfig(next.requests, next.protocol);
  if (!serving) return serving.error();
  serving_->Store(std::move(serving.value()));
  if (ground_truth_ && next.ground_truth) ground_truth_->SetStoreLimits(next.ground_truth->limits);
  return OkStatus();
}

ReloadResult Sidecar::ReloadConfig() {
  ReloadResult result = reloader_->Check();
  if (result.outcome == ReloadResult::Outcome::kUnchanged) {
    log::Info("configuration unchanged", {{"generation", reloader_->identity().generation}});
  }
  return result;
}

Sidecar::~Sidecar() { Stop(); }

Status Sidecar::Start() {
  if (auto st = admin_->Start(); !st) return st;
  if (auto st = proxy_->Start(); !st) return st;
  resources_->Start();
  if (accuracy_timer_) accuracy_timer_->Start();
  reloader_->Start();
  log::Info("sidecar serving", {{"dataPort", proxy_->port()},
                                {"adminPort", admin_->port()},
                                {"upstream", config_.proxy.upstream_host + ":" +
                                                 std::to_string(config_.proxy.upstream_port)},
                                {"protocol", std::string(serving_->Load()->adapter->name())},
                                {"threads", config_.proxy.threads}});
  return OkStatus();
}

void Sidecar::Stop() {
  if (reloader_) reloader_->Stop();
  if (proxy_) proxy_->Stop();
  if (resources_) resources_->Stop();
  if (accuracy_timer_) accuracy_timer_->Stop();
  if (admin_) admin_->Stop();
}

}  // namespace mm::sidecar
