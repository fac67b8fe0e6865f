#include "operator/health_server.h"

namespace mm::op {

HealthServer::HealthServer(std::string address, int port, std::function<bool()> ready,
                           const OperatorMetrics* metrics) {
  http::ServerOptions opts;
  opts.address = std::move(address);
  opts.port = static_cast<uint16_t>(port);
  opts.max_body_bytes = 1024;  // these endpoints take no body
  server_ = std::make_unique<http::Server>(opts);
  server_->Handle("GET", "/healthz",
                  [](const http::Request&) { return http::Response::Text(200, "ok\n"); });
  server_->Handle("GET", "/readyz", [ready](const http::Request&) {
    return ready() ? http::Response::Text(200, "ok\n")
                   : http::Response::Text(503, "informer caches not synced yet\n");
  });
  server_->Handle("GET", "/metrics", [metrics](const http::Request&) {
    http::Response r = http::Response::Text(200, metrics ? metrics->Serialize() : "");
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
}

Status HealthServer::Start() { return server_->Start(); }
void HealthServer::Stop() { server_->Stop(); }
uint16_t HealthServer::port() const { return server_->port(); }

}  // namespace mm::op
