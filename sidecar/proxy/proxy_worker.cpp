#include "sidecar/proxy/proxy_worker.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>

#include "common/log.h"
#include "common/metrics/metric_names.h"
#include "sidecar/proxy/exchange.h"
#include "sidecar/proxy/prediction_conversion.h"
#include "sidecar/proxy/proxy_errors.h"
#include "sidecar/proxy/proxy_io.h"

namespace mm::sidecar {

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

ProxyWorker::ProxyWorker(const ProxyOptions& options, const tcp::endpoint& upstream,
                         const LiveServingConfig& serving, SidecarMetrics& metrics,
                         PredictionSink* sink, uint64_t seed)
    : options_(options),
      upstream_(upstream),
      upstream_name_(upstream.address().to_string() + ":" + std::to_string(upstream.port())),
      serving_(serving),
      metrics_(metrics),
      sink_(sink),
      random_(seed),
      pool_(options.upstream_max_idle, options.upstream_idle_timeout) {}

Status ProxyWorker::Listen(const tcp::endpoint& endpoint, bool reuse_port) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    const int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec = beast::error_code(errno, asio::error::get_system_category());
    }
  }
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"data port: cannot listen on " + endpoint.address().to_string() + ":" +
                 std::to_string(endpoint.port()) + ": " + ec.message()};
  }
  return OkStatus();
}

uint16_t ProxyWorker::port() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void ProxyWorker::Run() {
  asio::co_spawn(io_, Accept(), asio::detached);
  io_.run();
}

void ProxyWorker::Stop() {
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  io_.stop();
}

ProxyWorker::Awaitable ProxyWorker::Accept() {
  while (acceptor_.is_open()) {
    beast::error_code ec;
    DeadlineSocket::Socket socket(io_.get_executor());
    co_await acceptor_.async_accept(socket, Await(ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      log::Warning("data port accept failed", {{"error", ec.message()}});
      continue;
    }
    asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
  }
}

ProxyWorker::Awaitable ProxyWorker::Session(DeadlineSocket::Socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  socket.non_blocking(true, ec);  // WriteMessage writes what the socket takes at once
  DeadlineSocket client(std::move(socket));
  beast::flat_buffer buffer;
  buffer.reserve(kReadBufferBytes);
  bool keep = true;
  while (keep) {
    RequestHead head;
    head.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    // The body limit is the live config's, known once the head is in (a reload
    // may come while the connection idles): checked below, not by the parser.
    head.body_limit(std::numeric_limits<uint64_t>::max());
    client.expires_after(options_.client_timeout);
    co_await bhttp::async_read_header(client, buffer, head, Await(ec));
    std::shared_ptr<const ServingConfig> config = serving_.Load();
    const size_t body_limit = config->requests.max_body_bytes;
    if (!ec && head.content_length() && *head.content_length() > body_limit) {
      ec = bhttp::error::body_limit;
    }
    if (ec) {
      const std::pair<int, std::string> refusal =
          RequestRefusal(ec, options_.max_header_bytes, body_limit);
      if (refusal.first != 0) co_await SendError(client, 11, refusal.first, refusal.second, false);
      break;
    }
    head.body_limit(body_limit);  // for chunked bodies, counted as they arrive
    keep = co_await Forward(client, buffer, head, std::move(config));
  }
  client.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<std::unique_ptr<UpstreamConnection>> ProxyWorker::Connect(beast::error_code& ec) {
  auto connection = std::make_unique<UpstreamConnection>(io_.get_executor());
  connection->buffer.reserve(kReadBufferBytes);
  connection->stream.expires_after(options_.upstream_connect_timeout);
  co_await connection->stream.async_connect(upstream_, Await(ec));
  if (!ec) connection->stream.socket().set_option(tcp::no_delay(true), ec);
  if (!ec) connection->stream.socket().non_blocking(true, ec);
  co_return connection;
}

asio::awaitable<void> ProxyWorker::SendError(DeadlineSocket& client, unsigned version, int status,
                                             const std::string& message, bool keep_alive,
                                             const Exchange* x) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, "application/json");
  if (x != nullptr && !x->id.empty()) res.set(x->config->requests.request_id_header, x->id);
  res.body() = ErrorBody(message);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  beast::error_code ec;
  client.expires_after(options_.client_timeout);
  co_await bhttp::async_write(client, res, Await(ec));
}

asio::awaitable<bool> ProxyWorker::Forward(DeadlineSocket& client, beast::flat_buffer& buffer,
                                           RequestHead& head,
                                           std::shared_ptr<const ServingConfig> config) {
  Exchange x;
  x.config = std::move(config);
  x.obs.time = std::chrono::system_clock::now();
  metrics_.RequestStarted();
  const bool keep = co_await Relay(client, buffer, head, x);
  x.obs.latency_seconds = Seconds(Clock::now() - x.start);
  if (x.first_token) {
    x.obs.ttft_seconds = Seconds(*x.first_token - x.start);
    const double generation = Seconds(x.last_token - *x.first_token);
    if (x.stream_tokens > 1 && generation > 0) {
      x.obs.tokens_per_second = static_cast<double>(x.stream_tokens - 1) / generation;
    }
  }
  // Parsing the body happens after the client has its answer.
  if (x.observer) {
    auto extraction = x.observer->Finish();
    if (extraction) x.obs.output_tokens = extraction->output_tokens;
    metrics_.RequestFinished(x.obs);
    if (x.obs.status / 100 == 2) Record(x, std::move(extraction));
  } else if (x.want_body && x.obs.status / 100 == 2 && !x.capture_overflow) {
    auto extraction = x.config->adapter->Extract(x.captured);
    if (extraction) x.obs.output_tokens = extraction->output_tokens;
    metrics_.RequestFinished(x.obs);
    Record(x, std::move(extraction));
  } else {
    metrics_.RequestFinished(x.obs);
  }
  co_return keep;
}

void ProxyWorker::Record(Exchange& x, Result<Extraction> extraction) {
  if (!extraction) {
    metrics_.ExtractionFailed(x.obs.time);
    if (!warned_extraction_) {  // once per worker: a wrong protocol would flood the log
      warned_extraction_ = true;
      log::Warning(
          std::string("no prediction found in a model response; counting further ones in ") +
              metrics::names::kSidecarExtractionErrorsTotal,
          {{"protocol", std::string(x.config->adapter->name())},
           {"error", extraction.error().message}});
    }
    return;
  }
  if (!x.sampled || sink_ == nullptr) return;
  uint64_t recorded = 0;
  uint64_t dropped = 0;
  uint64_t not_recordable = 0;
  const auto& outputs = extraction->predictions;
  const metrics::TimeMs time =
      std::chrono::duration_cast<std::chrono::milliseconds>(x.obs.time.time_since_epoch()).count();
  for (uint32_t i = 0; i < outputs.size(); ++i) {
    auto p = ToStorePrediction(outputs[i]);
    if (!p) {
      ++not_recordable;
      continue;
    }
    p->id = JoinId(x.id, i, outputs.size());
    p->time = time;
    p->model_revision = options_.model_revision;
    (sink_->Offer(std::move(*p)) ? recorded : dropped)++;
  }
  if (recorded > 0) metrics_.PredictionRecorded(x.obs.time, recorded);
  if (dropped > 0) metrics_.PredictionDropped(x.obs.time, dropped);
  if (not_recordable > 0) metrics_.PredictionNotRecordable(not_recordable);
}

}  // namespace mm::sidecar
