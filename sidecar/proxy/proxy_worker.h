#pragma once

// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>
//
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <string>

#include "common/result.h"
#include "sidecar/metrics/sidecar_metrics.h"
#include "sidecar/protocol/protocol_adapter.h"
#include "sidecar/proxy/deadline_socket.h"
#include "sidecar/proxy/prediction_id.h"
#include "sidecar/proxy/proxy_options.h"
#include "sidecar/proxy/serving_config.h"
#include "sidecar/proxy/upstream_pool.h"
#include "sidecar/store/prediction_sink.h"

namespace mm::sidecar {

struct Exchange;

// One event loop of the data path: accepts clients on its own listening socket
// (SO_REUSEPORT spreads connections over workers), forwards each request to the
// model over its own pool of keep-alive connections, and measures it. Everything
// a worker owns is touched only by its thread, so the request path takes no lock
// (metrics take one short one per request).
class ProxyWorker {
 public:
  ProxyWorker(const ProxyOptions& options, const boost::asio::ip::tcp::endpoint& upstream,
              const LiveServingConfig& serving, SidecarMetrics& metrics, PredictionSink* sink,
              uint64_t seed);

  Status Listen(const boost::asio::ip::tcp::endpoint& endpoint, bool reuse_port);
  uint16_t port() const;
  void Run();   // serves until Stop()
  void Stop();  // from any thread

 private:
  using Awaitable = boost::asio::awaitable<void>;
  using RequestHead = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using ResponseHead = boost::beast::http::response_parser<boost::beast::http::empty_body>;

  Awaitable Accept();
  Awaitable Session(DeadlineSocket::Socket socket);
  // Forwards one request whose head is read, under `config`; returns whether the
  // client connection can carry another request.
  boost::asio::awaitable<bool> Forward(DeadlineSocket& client, boost::beast::flat_buffer& buffer,
                                       RequestHead& head,
                                       std::shared_ptr<const ServingConfig> config);
  // The request to the model, up to the response head (request_relay.cpp), then the
  // response to the client (response_relay.cpp); returns Forward's answer.
  boost::asio::awaitable<bool> Relay(DeadlineSocket& client, boost::beast::flat_buffer& buffer,
                                     RequestHead& head, Exchange& x);
  boost::asio::awaitable<bool> RelayResponse(DeadlineSocket& client,
                                             std::unique_ptr<UpstreamConnection> up,
                                             ResponseHead& head, Exchange& x, unsigned version,
                                             bool client_keep);
  boost::asio::awaitable<std::unique_ptr<UpstreamConnection>> Connect(boost::beast::error_code& ec);
  // An answer of the sidecar's own; with `x`, it carries the prediction id.
  boost::asio::awaitable<void> SendError(DeadlineSocket& client, unsigned version, int status,
                                         const std::string& message, bool keep_alive,
                                         const Exchange* x = nullptr);
  void Record(Exchange& x, Result<Extraction> extraction);

  const ProxyOptions& options_;
  const boost::asio::ip::tcp::endpoint upstream_;
  const std::string upstream_name_;  // host:port, for error messages
  const LiveServingConfig& serving_;
  SidecarMetrics& metrics_;
  PredictionSink* sink_;
  RequestRandom random_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  UpstreamPool pool_;
  bool warned_extraction_ = false;
};

}  // namespace mm::sidecar
