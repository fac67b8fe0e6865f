#include "sidecar/sidecar.h"

#include "common/log.h"
#include "sidecar/admin/admin_endpoints.h"

namespace mm::sidecar {

Result<std::unique_ptr<Sidecar>> Sidecar::Create(SidecarConfig config) {
  if (auto valid = config.Validate(); !valid) return valid.error();
  std::unique_ptr<Sidecar> s(new Sidecar(std::move(config)));
  auto adapter = MakeProtocolAdapter(s->config_.protocol);
  if (!adapter) return adapter.error();
  s->adapter_ = std::move(adapter.value());
  s->metrics_ = std::make_unique<SidecarMetrics>(s->config_.bucket_width, s->config_.bucket_count);
  s->queue_ = std::make_unique<BoundedPredictionQueue>(s->config_.prediction_queue);
  s->config_.resources.model_port = s->config_.proxy.upstream_port;
  s->resources_ = std::make_unique<ResourceSampler>(s->config_.resources, s->metrics_->registry());
  s->proxy_ =
      std::make_unique<ProxyServer>(s->config_.proxy, *s->adapter_, *s->metrics_, s->queue_.get());
  http::ServerOptions admin;
  admin.address = s->config_.admin_address;
  admin.port = s->config_.admin_port;
  s->admin_ = std::make_unique<http::Server>(admin);
  RegisterAdminEndpoints(
      *s->admin_, AdminTargets{s->metrics_.get(), s->resources_.get(),
                               s->config_.proxy.upstream_host, s->config_.proxy.upstream_port});
  return s;
}

Sidecar::~Sidecar() { Stop(); }

Status Sidecar::Start() {
  if (auto st = admin_->Start(); !st) return st;
  if (auto st = proxy_->Start(); !st) return st;
  resources_->Start();
  log::Info("sidecar serving", {{"dataPort", proxy_->port()},
                                {"adminPort", admin_->port()},
                                {"upstream", config_.proxy.upstream_host + ":" +
                                                 std::to_string(config_.proxy.upstream_port)},
                                {"protocol", std::string(adapter_->name())},
                                {"threads", config_.proxy.threads}});
  return OkStatus();
}

void Sidecar::Stop() {
  if (proxy_) proxy_->Stop();
  if (resources_) resources_->Stop();
  if (admin_) admin_->Stop();
}

}  // namespace mm::sidecar
