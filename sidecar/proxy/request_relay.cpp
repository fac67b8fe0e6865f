// ProxyWorker::Relay: the request's way to the model (id, sampling, body, the
// retry on a stale pooled connection) up to the response head.
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <optional>

#include "sidecar/proxy/exchange.h"
#include "sidecar/proxy/hop_by_hop.h"
#include "sidecar/proxy/proxy_errors.h"
#include "sidecar/proxy/proxy_io.h"
#include "sidecar/proxy/proxy_worker.h"

namespace mm::sidecar {

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
  // metadata calls, timed and counted but holding no prediction. A response is
  // parsed only when something takes what it holds: a sampled one when predictions
  // are recorded (groundTruth), every one when the protocol counts output tokens.
  x.want_body = req.method() == bhttp::verb::post &&
                ((x.sampled && sink_ != nullptr) || adapter.NeedsEveryResponse());

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
    if (!ParseBuffered(*whole, cbuf, ec) && !ec) {
      client.expires_after(options_.client_timeout);
      co_await bhttp::async_read(client, cbuf, *whole, Await(ec));
    }
    if (ec) co_return false;  // client gone or too slow, or a broken body: nothing to answer
  } else {
    streamed.emplace(std::move(head));
  }

  // Sends the request, retrying once on a fresh connection when a pooled one turns
  // out closed by the model before it read anything (only for whole requests:
  // a streamed body cannot be replayed).
  std::unique_ptr<UpstreamConnection> up;
  std::optional<bhttp::response_parser<bhttp::empty_body>> rhead;
  for (int attempt = 0;; ++attempt) {
    up = attempt == 0 ? pool_.Take() : nullptr;
    if (!up) {
      up = co_await Connect(ec);
      if (ec) {
        x.obs.status = 502;
        x.obs.upstream_unavailable = true;
        const std::string message =
            "the model at " + upstream_name_ + " is not reachable: " + ec.message();
        co_await SendError(client, version, 502, message, client_keep && whole_request, &x);
        co_return client_keep&& whole_request;
      }
    }
    up->stream.expires_after(options_.upstream_timeout);
    if (whole) {
      co_await WriteMessage(up->stream, whole->get(), ec);
    } else {
      // Stream the request body as it arrives.
      auto& msg = streamed->get();
      bhttp::request_serializer<bhttp::buffer_body> sr{msg};
      co_await bhttp::async_write_header(up->stream, sr, Await(ec));
      const auto buf = std::make_unique<char[]>(kStreamChunkBytes);
      while (!ec && !sr.is_done()) {
        if (!streamed->is_done()) {
          msg.body().data = buf.get();
          msg.body().size = kStreamChunkBytes;
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
          msg.body().size = kStreamChunkBytes - msg.body().size;
          msg.body().data = buf.get();
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
      const std::string message = "the model at " + upstream_name_ + " did not answer within " +
                                  FormatTimeout(options_.upstream_timeout);
      co_await SendError(client, version, 504, message, client_keep && whole_request, &x);
    } else {
      x.obs.status = 502;
      x.obs.upstream_unavailable = true;
      std::string why = "closed the connection without a response";
      if (!IsRefusedEarly(ec)) why = "sent no valid response (" + ec.message() + ")";
      const std::string message = "the model at " + upstream_name_ + " " + why;
      co_await SendError(client, version, 502, message, client_keep && whole_request, &x);
    }
    co_return client_keep&& whole_request;
  }

  co_return co_await RelayResponse(client, std::move(up), *rhead, x, version, client_keep);
}

}  // namespace mm::sidecar
