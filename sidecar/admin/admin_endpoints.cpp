#include "sidecar/admin/admin_endpoints.h"

// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>
//
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>

#include "common/metrics/sidecar_snapshot.h"
#include "sidecar/admin/bearer_auth.h"

namespace mm::sidecar {

namespace {

// Whether a TCP connection to the model opens within `timeout`; the reason if not.
std::string ModelUnreachable(const std::string& host, uint16_t port,
                             std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return "cannot resolve " + host + ": " + ec.message();
  asio::ip::tcp::socket socket(io);
  boost::system::error_code result = asio::error::timed_out;
  asio::async_connect(socket, endpoints,
                      [&](const boost::system::error_code& e, const auto&) { result = e; });
  io.run_for(timeout);
  if (!result) return "";
  return "the model at " + host + ":" + std::to_string(port) +
         " is not accepting connections: " + result.message();
}

}  // namespace

void RegisterAdminEndpoints(http::Server& server, AdminTargets t) {
  server.Handle("GET", "/metrics", [t](const http::Request&) {
    http::Response r = http::Response::Text(200, t.metrics->PrometheusText());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
  BearerToken admin{t.admin_token, "admin token",
                    "set --admin-token-file or the MM_ADMIN_TOKEN environment variable"};
  server.Handle("GET", "/v1/snapshot", [t, admin](const http::Request& req) {
    if (auto refused = CheckBearer(req, admin)) return *refused;
    int64_t since = 0;
    const std::string since_text = req.QueryParam("since");
    if (!since_text.empty()) {
      char* end = nullptr;
      since = std::strtoll(since_text.c_str(), &end, 10);
      if (end == nullptr || *end != '\0') {
        return http::Response::Error(
            400, "since: \"" + since_text + "\" is not unix seconds (e.g. since=1763780400)");
      }
    }
    metrics::SidecarSnapshot s;
    s.generated_at_unix = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    s.bucket_seconds = t.metrics->buckets().width().count();
    s.buckets = t.metrics->buckets().Since(since);
    if (t.resources != nullptr) s.resources = t.resources->Latest();
    nlohmann::json body = s.ToJson();
    if (t.ground_truth != nullptr) body["accuracy"] = t.ground_truth->Snapshot(since * 1000);
    if (t.config != nullptr) {
      const ConfigReloader::Identity live = t.config->identity();
      body["config"] = {{"generation", live.generation},
                        {"hash", live.hash},
                        {"restartRequired", live.restart_required}};
    }
    return http::Response::Json(200, body);
  });
  server.Handle("GET", "/healthz",
                [](const http::Request&) { return http::Response::Text(200, "ok\n"); });
  server.Handle("GET", "/readyz", [t](const http::Request&) {
    const std::string why = ModelUnreachable(t.model_host, t.model_port, t.ready_timeout);
    if (!why.empty()) return http::Response::Error(503, why);
    return http::Response::Text(200, "ready\n");
  });
}

}  // namespace mm::sidecar
