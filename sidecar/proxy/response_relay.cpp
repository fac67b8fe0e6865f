// ProxyWorker::RelayResponse: the model's response to the client, whole or as it
// arrives, captured for the adapter or followed by its stream observer.
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "sidecar/proxy/exchange.h"
#include "sidecar/proxy/hop_by_hop.h"
#include "sidecar/proxy/proxy_errors.h"
#include "sidecar/proxy/proxy_io.h"
#include "sidecar/proxy/proxy_worker.h"

namespace mm::sidecar {

asio::awaitable<bool> ProxyWorker::RelayResponse(DeadlineSocket& client,
                                                 std::unique_ptr<UpstreamConnection> up,
                                                 ResponseHead& rhead, Exchange& x, unsigned version,
                                                 bool client_keep) {
  beast::error_code ec;
  const RequestSettings& settings = x.config->requests;
  const ProtocolAdapter& adapter = *x.config->adapter;
  auto& res = rhead.get();
  x.obs.status = static_cast<int>(res.result_int());
  const bool upstream_keep = res.keep_alive();
  const bool sse =
      beast::iequals(res[bhttp::field::content_type].substr(0, 17), "text/event-stream");
  const bool chunked_response = rhead.chunked();
  StripHopByHopFields(res.base());
  res.set(settings.request_id_header, x.id);
  res.version(version);
  if (sse) {
    x.observer = adapter.ObserveStream();
    x.obs.stream = true;
  }

  const bool whole_response =
      rhead.is_done() || (!sse && !chunked_response && rhead.content_length() &&
                          *rhead.content_length() <= options_.buffered_body_bytes);
  if (whole_response) {
    bhttp::response_parser<bhttp::string_body> rwhole{std::move(rhead)};
    if (!ParseBuffered(rwhole, up->buffer, ec) && !ec) {
      up->stream.expires_after(options_.upstream_timeout);
      co_await bhttp::async_read(up->stream, up->buffer, rwhole, Await(ec));
    }
    if (ec) {
      const bool timeout = ec == beast::error::timeout;
      x.obs.status = timeout ? 504 : 502;
      (timeout ? x.obs.upstream_timeout : x.obs.upstream_unavailable) = true;
      // Messages are built before co_await: GCC 12 destroys temporaries of a
      // conditional expression inside a co_await statement twice.
      std::string message = "the model at " + upstream_name_;
      if (timeout) {
        message += " stopped sending its response for " + FormatTimeout(options_.upstream_timeout);
      } else {
        message += " broke off its response: " + ec.message();
      }
      co_await SendError(client, version, x.obs.status, message, client_keep, &x);
      co_return client_keep;
    }
    auto& msg = rwhole.get();
    msg.keep_alive(client_keep);
    client.expires_after(options_.client_timeout);
    co_await WriteMessage(client, msg, ec);
    if (upstream_keep) pool_.Return(std::move(up));
    if (x.want_body) x.captured = std::move(msg.body());
    co_return client_keep && !ec;
  }

  // Streamed response: every piece goes to the client as soon as it arrives.
  bhttp::response_parser<bhttp::buffer_body> rp{std::move(rhead)};
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
  const auto buf = std::make_unique<char[]>(kStreamChunkBytes);
  while (!rp.is_done()) {
    msg.body().data = buf.get();
    msg.body().size = kStreamChunkBytes;
    up->stream.expires_after(options_.upstream_timeout);
    co_await bhttp::async_read_some(up->stream, up->buffer, rp, Await(ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      // Too late for a 502/504: the head is sent. Closing tells the client.
      (ec == beast::error::timeout ? x.obs.upstream_timeout : x.obs.upstream_unavailable) = true;
      co_return false;
    }
    const size_t n = kStreamChunkBytes - msg.body().size;
    if (n == 0 && !rp.is_done()) continue;
    const std::string_view piece(buf.get(), n);
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
    msg.body().data = buf.get();
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
