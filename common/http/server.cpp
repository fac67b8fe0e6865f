#include "common/http/server.h"

// GCC 12 with -fsanitize=address reports Asio 1.74's coroutine frame allocator
// (awaitable_frame_base::operator new/delete) as mismatched; it is not.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// <utility> first: Boost 1.74's awaitable.hpp uses std::exchange without including it.
#include <utility>
//
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "common/log.h"

namespace mm::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view Request::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return {};
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a
// malformed escape is kept literally rather than rejected.
std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && HexDigit(in[i + 1]) >= 0 &&
               HexDigit(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(in[i + 1]) * 16 + HexDigit(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string Request::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (PercentDecode(key) == name) {
      return eq == std::string_view::npos ? std::string{} : PercentDecode(pair.substr(eq + 1));
    }
  }
  return {};
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  // Replace invalid UTF-8 instead of throwing: a response must always be writable.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Error(int status, std::string message) {
  return Json(status, nlohmann::json{{"error", std::move(message)}});
}

namespace {

struct Route {
  std::string method;
  std::string path;
  bool prefix;
  Handler handler;
};

std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

void RequireTls12(boost::asio::ssl::context& ctx) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
}

}  // namespace

struct ReadWatch {
  bool done = false;
  bool timed_out = false;
};

struct Server::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)), io(std::max(1, options.threads)) {}

  ServerOptions options;
  std::vector<Route> routes;
  std::mutex tls_mu;
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;
  bool running = false;
  // Declared last so it is destroyed first: pending sessions (coroutine frames)
  // are destroyed with it while everything they reference is still alive.
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;

  std::shared_ptr<asio::ssl::context> CurrentTls() {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls;
  }

  Response Dispatch(const Request& req) {
    const Route* match = nullptr;
    bool path_known = false;
    std::string allowed;
    for (const Route& r : routes) {
      const bool path_matches = r.prefix ? req.path.rfind(r.path, 0) == 0 : req.path == r.path;
      if (!path_matches) continue;
      path_known = true;
      if (r.method != req.method) {
        if (allowed.find(r.method) == std::string::npos) {
          allowed += allowed.empty() ? r.method : ", " + r.method;
        }
        continue;
      }
      // Exact routes win over prefixes; among prefixes the longest wins.
      if (match == nullptr || (!r.prefix && match->prefix) ||
          (r.prefix && match->prefix && r.path.size() > match->path.size())) {
        match = &r;
      }
    }
    if (match == nullptr) {
      if (path_known) {
        Response resp = Response::Error(405, "method " + req.method + " is not allowed on " +
                                                 req.path + " (use " + allowed + ")");
        resp.headers.emplace_back("Allow", allowed);
        return resp;
      }
      return Response::Error(404, "no such path: " + req.path);
    }
    try {
      return match->handler(req);
    } catch (const std::exception& e) {
      log::Error("http handler failed", {{"path", req.path}, {"error", e.what()}});
      return Response::Error(500, std::string("internal error: ") + e.what());
    } catch (...) {
      log::Error("http handler failed", {{"path", req.path}, {"error", "unknown exception"}});
      return Response::Error(500, "internal error");
    }
  }

  static bhttp::response<bhttp::string_body> ToBeast(Response r, unsigned version,
                                                     bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "modelmonitor");
    res.set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res.insert(name, value);
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
  }

  // The answer to a request that never reached a handler, or nullopt when the
  // connection should just close (peer gone, idle keep-alive timed out).
  std::optional<Response> RefusalFor(const beast::error_code& ec, bool started) const {
    if (ec == bhttp::error::body_limit) {
      return Response::Error(413, "request body exceeds the limit of " +
                                      std::to_string(options.max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return Response::Error(431, "request headers exceed the limit of " +
                                      std::to_string(options.max_header_bytes) + " bytes");
    }
    if (ec == beast::error::timeout) {
      if (!started) return std::nullopt;
      return Response::Error(
          408, "request not received completely within " + FormatDuration(options.read_timeout));
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated) {
      return std::nullopt;
    }
    if (ec.category() == beast::error_code(bhttp::error::bad_target).category()) {
      return Response::Error(400, "malformed HTTP/1.1 request: " + ec.message());
    }
    return std::nullopt;
  }

  template <typename Stream>
  asio::awaitable<void> Serve(Stream& stream, beast::tcp_stream& raw, std::string remote) {
    beast::flat_buffer buffer;
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      // Beast's own stream timeout closes the socket, which would leave no way to
      // send the 408; a timer that cancels the read keeps the socket writable.
      raw.expires_never();
      auto watch = std::make_shared<ReadWatch>();
      asio::steady_timer timer(raw.get_executor(), options.read_timeout);
      timer.async_wait([watch, socket = &raw.socket()](const beast::error_code& e) {
        if (e || watch->done) return;  // the read finished first; the socket may be gone
        watch->timed_out = true;
        beast::error_code ignored;
        socket->cancel(ignored);
      });
      beast::error_code ec;
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      watch->done = true;
      timer.cancel();
      if (watch->timed_out) ec = beast::error::timeout;
      if (ec) {
        const bool started = buffer.size() > 0 || parser.got_some();
        std::optional<Response> refusal = RefusalFor(ec, started);
        if (refusal) {
          auto res = ToBeast(std::move(*refusal), 11, false);
          raw.expires_after(options.read_timeout);
          co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return;
      }
      auto& breq = parser.get();
      Request req;
      req.method = std::string(Sv(breq.method_string()));
      const std::string_view target = Sv(breq.target());
      const size_t q = target.find('?');
      req.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
      for (const auto& field : breq) {
        req.headers.emplace_back(Lower(Sv(field.name_string())), std::string(Sv(field.value())));
      }
      req.body = std::move(breq.body());
      req.remote_address = remote;
      const bool keep_alive = breq.keep_alive();
      auto res = ToBeast(Dispatch(req), breq.version(), keep_alive);
      raw.expires_after(options.read_timeout);
      co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep_alive) co_return;
    }
  }

  asio::awaitable<void> ServePlain(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ec;
    const std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
    co_await Serve(stream, stream, remote);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> ServeTls(tcp::socket socket, std::shared_ptr<asio::ssl::context> ctx) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ctx);
    beast::tcp_stream& raw = beast::get_lowest_layer(stream);
    beast::error_code ec;
    const std::string remote = raw.socket().remote_endpoint(ec).address().to_string();
    raw.expires_after(options.read_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      log::Debug("tls handshake failed", {{"remote", remote}, {"error", ec.message()}});
      co_return;
    }
    co_await Serve(stream, raw, remote);
    raw.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> Accept() {
    while (true) {
      beast::error_code ec;
      tcp::socket socket(asio::make_strand(io));
      co_await acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) {
        log::Warning("http accept failed", {{"error", ec.message()}});
        continue;
      }
      auto executor = socket.get_executor();
      if (auto ctx = CurrentTls()) {
        asio::co_spawn(executor, ServeTls(std::move(socket), std::move(ctx)), asio::detached);
      } else {
        asio::co_spawn(executor, ServePlain(std::move(socket)), asio::detached);
      }
    }
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.tls) {
    RequireTls12(*impl_->options.tls);
    impl_->tls = impl_->options.tls;
  }
}

Server::~Server() { Stop(); }

void Server::Handle(std::string method, std::string path, Handler handler) {
  impl_->routes.push_back({std::move(method), std::move(path), false, std::move(handler)});
}

void Server::HandlePrefix(std::string method, std::string prefix, Handler handler) {
  impl_->routes.push_back({std::move(method), std::move(prefix), true, std::move(handler)});
}

Status Server::Start() {
  Impl& s = *impl_;
  if (s.running)
    return Error{"http server already started on port " + std::to_string(s.bound_port)};
  beast::error_code ec;
  const auto address = asio::ip::make_address(s.options.address, ec);
  if (ec) {
    return Error{"http server address \"" + s.options.address +
                 "\" is not an IP address (use e.g. 0.0.0.0 or 127.0.0.1)"};
  }
  const tcp::endpoint endpoint(address, s.options.port);
  auto acceptor = std::make_unique<tcp::acceptor>(s.io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"http server cannot listen on " + s.options.address + ":" +
                 std::to_string(s.options.port) + ": " + ec.message()};
  }
  s.bound_port = acceptor->local_endpoint(ec).port();
  s.acceptor = std::move(acceptor);
  s.io.restart();
  asio::co_spawn(s.io, s.Accept(), asio::detached);
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    s.threads.emplace_back([&s] { s.io.run(); });
  }
  s.running = true;
  return OkStatus();
}

void Server::Stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  // No thread runs the io_context now, so the acceptor can be closed from here.
  beast::error_code ec;
  s.acceptor->close(ec);
  s.running = false;
}

uint16_t Server::port() const { return impl_->bound_port; }

void Server::SetTlsContext(std::shared_ptr<boost::asio::ssl::context> tls) {
  if (tls) RequireTls12(*tls);
  std::lock_guard<std::mutex> lock(impl_->tls_mu);
  impl_->tls = std::move(tls);
}

}  // namespace mm::http
