#include "sidecar/proxy/proxy_worker.h"

// GCC 12 with -fsanitize=address reports Asio 1.74's coroutine frame allocator
// (awaitable_frame_base::operator new/delete) as mismatched; it is not.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <optional>

#include "common/log.h"
#include "sidecar/proxy/hop_by_hop.h"
#include "sidecar/proxy/prediction_conversion.h"

namespace mm::sidecar {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Per-request state, from the request head to the last byte of the response.
struct Exchange {
  std::shared_ptr<const ServingConfig> config;  // the live version when the head arrived
  Clock::time_point start = Clock::now();
  RequestObservation obs;
  std::string id;
  bool sampled = false;
  bool want_body = false;  // the adapter needs the response body
  std::string captured;    // response body for the adapter (non-stream)
  bool capture_overflow = false;
  std::unique_ptr<StreamObserver> observer;  // SSE responses
  std::optional<Clock::time_point> first_token;
  Clock::time_point last_token;
  uint64_t stream_tokens = 0;
};

namespace {

auto Await(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// Read buffers start this large. Beast reads at most max(512, free capacity) bytes
// at a time and a flat_buffer keeps its capacity, so an unreserved buffer read a
// 1 KB request or response in three recvmsg calls, every time.
constexpr size_t kReadBufferBytes = 16 << 10;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string FormatTimeout(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

bool IsRefusedEarly(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// Status and message for a request head the proxy cannot accept, or 0 to just close.
std::pair<int, std::string> RequestRefusal(const beast::error_code& ec, size_t max_header_bytes,
                                           size_t max_body_bytes) {
  if (ec == bhttp::error::header_limit) {
    return {431,
            "request headers exceed the limit of " + std::to_string(max_header_bytes) + " bytes"};
  }
  if (ec == bhttp::error::body_limit) {
    return {413, "request body exceeds the limit of " + std::to_string(max_body_bytes) +
                     " bytes (maxBodyBytes)"};
  }
  if (ec.category() == beast::error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return {400, "malformed HTTP/1.1 request: " + ec.message()};
  }
  return {0, ""};
}

}  // namespace

ProxyWorker::ProxyWorker(const ProxyOptions& options, const tcp::endpoint& upstream,
                         const LiveServingConfig& serving, SidecarMetrics& metrics,
                         PredictionSink* sink, uint64_t seed)
    : options_(options),
      upstream_(upstream),
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
  co_return connection;
}

asio::awaitable<void> ProxyWorker::SendError(DeadlineSocket& client, unsigned version, int status,
                                             const std::string& message, bool keep_alive,
                                             const Exchange* x) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, "application/json");
  if (x != nullptr && !x->id.empty()) res.set(x->config->requests.request_id_header, x->id);
  res.body() = nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace);
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
          "no prediction found in a model response; counting further ones in "
          "modelmonitor_sidecar_extraction_errors_total",
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
  const TimeMs time =
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

asio::awaitable<bool> ProxyWorker::Relay(DeadlineSocket& client, beast::flat_buffer& cbuf,
                                         RequestHead& head, Exchange& x) {
  beast::error_code ec;
  auto& req = head.get();
  const unsigned version = req.version();
  bool client_keep = req.keep_alive();
  const bool is_head = req.method() == bhttp::verb::head;
  const RequestSettings& settings = x.config->requests;
  const ProtocolAdapter& adapter = *x.config->adapter;

  // The prediction id: the client's, or a new one the model and the client both see.
  auto id_field = req.find(settings.request_id_header);
  if (id_field != req.end() && !id_field->value().empty() && id_field->value().size() <= 200) {
    x.id.assign(id_field->value().data(), id_field->value().size());
  } else {
    x.id = random_.NewPredictionId();
    req.set(settings.request_id_header, x.id);
  }
  x.sampled = random_.Sample(settings.sample_rate);
  // Inference calls are POSTs in every protocol served; GETs are health and
  // metadata calls, timed and counted but holding no prediction.
  x.want_body = req.method() == bhttp::verb::post && (x.sampled || adapter.NeedsEveryResponse());

  const bool expects_continue = beast::iequals(req[bhttp::field::expect], "100-continue");
  const bool chunked_request = head.chunked();
  StripHopByHopFields(req.base());
  req.erase(bhttp::field::expect);  // answered here: the model gets the whole body
  req.version(11);
  if (chunked_request) req.chunked(true);
  if (expects_continue && !head.is_done()) {
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    client.expires_after(options_.client_timeout);
    co_await asio::async_write(client, asio::buffer(kContinue, sizeof kContinue - 1), Await(ec));
    if (ec) co_return false;
  }

  // Small bodies of known length are read whole and sent in one write; others stream.
  const bool whole_request =
      head.is_done() || (!chunked_request && head.content_length() &&
                         *head.content_length() <= options_.buffered_body_bytes);
  std::optional<bhttp::request_parser<bhttp::string_body>> whole;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> streamed;
  if (whole_request) {
    whole.emplace(std::move(head));
    if (!whole->is_done()) {
      client.expires_after(options_.client_timeout);
      co_await bhttp::async_read(client, cbuf, *whole, Await(ec));
      if (ec) co_return false;  // client gone or too slow: nothing to answer
    }
  } else {
    streamed.emplace(std::move(head));
  }

  // Sends the request, retrying once on a fresh connection when a pooled one turns
  // out closed by the model before it read anything (only for whole requests:
  // a streamed body cannot be replayed).
  std::unique_ptr<UpstreamConnection> up;
  std::optional<bhttp::response_parser<bhttp::empty_body>> rhead;
  const std::string upstream_name =
      upstream_.address().to_string() + ":" + std::to_string(upstream_.port());
  for (int attempt = 0;; ++attempt) {
    up = attempt == 0 ? pool_.Take() : nullptr;
    if (!up) {
      up = co_await Connect(ec);
      if (ec) {
        x.obs.status = 502;
        x.obs.upstream_unavailable = true;
        const std::string message =
            "the model at " + upstream_name + " is not reachable: " + ec.message();
        co_await SendError(client, version, 502, message, client_keep && whole_request, &x);
        co_return client_keep&& whole_request;
      }
    }
    up->stream.expires_after(options_.upstream_timeout);
    if (whole) {
      co_await bhttp::async_write(up->stream, whole->get(), Await(ec));
    } else {
      // Stream the request body as it arrives.
      auto& msg = streamed->get();
      bhttp::request_serializer<bhttp::buffer_body> sr{msg};
      co_await bhttp::async_write_header(up->stream, sr, Await(ec));
      char buf[16 << 10];
      while (!ec && !sr.is_done()) {
        if (!streamed->is_done()) {
          msg.body().data = buf;
          msg.body().size = sizeof buf;
          client.expires_after(options_.client_timeout);
          beast::error_code rec;
          co_await bhttp::async_read_some(client, cbuf, *streamed, Await(rec));
          if (rec == bhttp::error::need_buffer) rec = {};
          if (rec) {
            const std::pair<int, std::string> refusal =
                RequestRefusal(rec, options_.max_header_bytes, settings.max_body_bytes);
            x.obs.status = refusal.first;
            if (refusal.first != 0) {
              co_await SendError(client, version, refusal.first, refusal.second, false, &x);
            }
            co_return false;
          }
          msg.body().size = sizeof buf - msg.body().size;
          msg.body().data = buf;
          msg.body().more = !streamed->is_done();
          if (msg.body().size == 0 && msg.body().more) continue;
        } else {
          msg.body().data = nullptr;
          msg.body().size = 0;
          msg.body().more = false;
        }
        up->stream.expires_after(options_.upstream_timeout);
        co_await bhttp::async_write(up->stream, sr, Await(ec));
        if (ec == bhttp::error::need_buffer) ec = {};
      }
    }
    if (!ec) {
      rhead.emplace();
      rhead->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      // Responses stream, so they are not limited (captures are). Not boost::none:
      // Beast 1.74 compares a Content-Length with an empty optional as over the limit.
      rhead->body_limit(std::numeric_limits<uint64_t>::max());
      if (is_head) rhead->skip(true);
      up->stream.expires_after(options_.upstream_timeout);
      co_await bhttp::async_read_header(up->stream, up->buffer, *rhead, Await(ec));
    }
    if (!ec) break;
    const bool nothing_received = !rhead || !rhead->got_some();
    if (up->reused && whole && attempt == 0 && nothing_received && ec != beast::error::timeout) {
      continue;  // a stale pooled connection
    }
    if (ec == beast::error::timeout) {
      x.obs.status = 504;
      x.obs.upstream_timeout = true;
      const std::string message = "the model at " + upstream_name + " did not answer within " +
                                  FormatTimeout(options_.upstream_timeout);
      co_await SendError(client, version, 504, message, client_keep && whole_request, &x);
    } else {
      x.obs.status = 502;
      x.obs.upstream_unavailable = true;
      std::string why = "closed the connection without a response";
      if (!IsRefusedEarly(ec)) why = "sent no valid response (" + ec.message() + ")";
      const std::string message = "the model at " + upstream_name + " " + why;
      co_await SendError(client, version, 502, message, client_keep && whole_request, &x);
    }
    co_return client_keep&& whole_request;
  }

  // The response head is in.
  auto& res = rhead->get();
  x.obs.status = static_cast<int>(res.result_int());
  const bool upstream_keep = res.keep_alive();
  const bool sse =
      beast::iequals(res[bhttp::field::content_type].substr(0, 17), "text/event-stream");
  const bool chunked_response = rhead->chunked();
  StripHopByHopFields(res.base());
  res.set(settings.request_id_header, x.id);
  res.version(version);
  if (sse) {
    x.observer = adapter.ObserveStream();
    x.obs.stream = true;
  }

  const bool whole_response =
      rhead->is_done() || (!sse && !chunked_response && rhead->content_length() &&
                           *rhead->content_length() <= options_.buffered_body_bytes);
  if (whole_response) {
    bhttp::response_parser<bhttp::string_body> rwhole{std::move(*rhead)};
    if (!rwhole.is_done()) {
      up->stream.expires_after(options_.upstream_timeout);
      co_await bhttp::async_read(up->stream, up->buffer, rwhole, Await(ec));
      if (ec) {
        const bool timeout = ec == beast::error::timeout;
        x.obs.status = timeout ? 504 : 502;
        (timeout ? x.obs.upstream_timeout : x.obs.upstream_unavailable) = true;
        // Messages are built before co_await: GCC 12 destroys temporaries of a
        // conditional expression inside a co_await statement twice.
        std::string message = "the model at " + upstream_name;
        if (timeout) {
          message +=
              " stopped sending its response for " + FormatTimeout(options_.upstream_timeout);
        } else {
          message += " broke off its response: " + ec.message();
        }
        co_await SendError(client, version, x.obs.status, message, client_keep, &x);
        co_return client_keep;
      }
    }
    auto& msg = rwhole.get();
    msg.keep_alive(client_keep);
    client.expires_after(options_.client_timeout);
    co_await bhttp::async_write(client, msg, Await(ec));
    if (upstream_keep) pool_.Return(std::move(up));
    if (x.want_body) x.captured = std::move(msg.body());
    co_return client_keep && !ec;
  }

  // Streamed response: every piece goes to the client as soon as it arrives.
  bhttp::response_parser<bhttp::buffer_body> rp{std::move(*rhead)};
  auto& msg = rp.get();
  if (chunked_response || !rp.content_length()) {
    if (version >= 11) {
      msg.chunked(true);  // also for a body delimited by the model closing
    } else {
      client_keep = false;
    }
  }
  msg.keep_alive(client_keep);
  bhttp::response_serializer<bhttp::buffer_body> sr{msg};
  client.expires_after(options_.client_timeout);
  co_await bhttp::async_write_header(client, sr, Await(ec));
  if (ec) co_return false;
  char buf[16 << 10];
  while (!rp.is_done()) {
    msg.body().data = buf;
    msg.body().size = sizeof buf;
    up->stream.expires_after(options_.upstream_timeout);
    co_await bhttp::async_read_some(up->stream, up->buffer, rp, Await(ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      // Too late for a 502/504: the head is sent. Closing tells the client.
      (ec == beast::error::timeout ? x.obs.upstream_timeout : x.obs.upstream_unavailable) = true;
      co_return false;
    }
    const size_t n = sizeof buf - msg.body().size;
    if (n == 0 && !rp.is_done()) continue;
    const std::string_view piece(buf, n);
    if (x.observer) {
      const uint64_t tokens = x.observer->OnData(piece);
      if (tokens > 0) {
        const auto now = Clock::now();
        if (!x.first_token) x.first_token = now;
        x.last_token = now;
        x.stream_tokens += tokens;
      }
    } else if (x.want_body && !x.capture_overflow) {
      if (x.captured.size() + n > options_.max_capture_bytes) {
        x.capture_overflow = true;
        x.captured.clear();
      } else {
        x.captured.append(piece);
      }
    }
    msg.body().data = buf;
    msg.body().size = n;
    msg.body().more = !rp.is_done();
    client.expires_after(options_.client_timeout);
    co_await bhttp::async_write(client, sr, Await(ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return false;  // the client left; the model connection is dropped
  }
  if (!sr.is_done()) {
    msg.body().data = nullptr;
    msg.body().size = 0;
    msg.body().more = false;
    co_await bhttp::async_write(client, sr, Await(ec));
    if (ec == bhttp::error::need_buffer) ec = {};
  }
  if (upstream_keep && rp.is_done() && (chunked_response || rp.content_length())) {
    pool_.Return(std::move(up));
  }
  co_return client_keep && !ec;
}

}  // namespace mm::sidecar
