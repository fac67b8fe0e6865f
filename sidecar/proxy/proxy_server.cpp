#include "sidecar/proxy/proxy_server.h"

#include <random>

#include "sidecar/proxy/proxy_worker.h"

namespace mm::sidecar {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ProxyServer::ProxyServer(ProxyOptions options, const LiveServingConfig& serving,
                         SidecarMetrics& metrics, PredictionSink* sink)
    : options_(std::move(options)), serving_(serving), metrics_(metrics), sink_(sink) {}

ProxyServer::~ProxyServer() { Stop(); }

Status ProxyServer::Start() {
  boost::system::error_code ec;
  const auto listen = asio::ip::make_address(options_.listen_address, ec);
  if (ec) {
    return Error{"listen address \"" + options_.listen_address +
                 "\" is not an IP address (use 0.0.0.0 or 127.0.0.1)"};
  }
  // The model is on localhost: resolve once, never on the request path.
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results =
      resolver.resolve(options_.upstream_host, std::to_string(options_.upstream_port), ec);
  if (ec || results.empty()) {
    return Error{"upstream host \"" + options_.upstream_host +
                 "\" does not resolve (use 127.0.0.1 or localhost): " + ec.message()};
  }
  const tcp::endpoint upstream = results.begin()->endpoint();
  const int threads = std::max(1, options_.threads);
  std::random_device seed;
  for (int i = 0; i < threads; ++i) {
    auto worker = std::make_unique<ProxyWorker>(options_, upstream, serving_, metrics_, sink_,
                                                (uint64_t{seed()} << 32) | seed());
    // The first worker may pick the port (port 0); the others share it.
    const uint16_t port = i == 0 ? options_.port : port_;
    auto status = worker->Listen(tcp::endpoint(listen, port), threads > 1);
    if (!status) return status;
    port_ = worker->port();
    workers_.push_back(std::move(worker));
  }
  for (auto& worker : workers_) threads_.emplace_back([w = worker.get()] { w->Run(); });
  return OkStatus();
}

void ProxyServer::Stop() {
  for (auto& worker : workers_) worker->Stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  workers_.clear();
}

}  // namespace mm::sidecar
