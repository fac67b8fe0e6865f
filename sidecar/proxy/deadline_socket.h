#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <memory>
#include <utility>

namespace mm::sidecar {

// A TCP stream whose reads, writes and connect fail with beast::error::timeout (and
// the socket closed) once the deadline set by expires_after passes, like
// beast::tcp_stream. The difference is the cost: tcp_stream starts and cancels a
// timer around every operation (at one connection that is a timerfd_settime system
// call per read and per write, four per proxied request); here one timer per
// connection wakes up at the deadline and, if the deadline has moved on meanwhile,
// sleeps again until the new one. Setting a deadline is a clock read.
// One difference: a deadline that passes with no operation pending closes the
// socket too (tcp_stream would fail the next operation), so a caller sets a
// deadline before each operation and expires_never() while idle, as the pool does.
// The executor is the io_context's own type, not the type-erased any_io_executor.
class DeadlineSocket {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, executor_type>;
  using Clock = std::chrono::steady_clock;

  explicit DeadlineSocket(const executor_type& ex) : DeadlineSocket(Socket(ex)) {}
  explicit DeadlineSocket(Socket socket)
      : socket_(std::move(socket)), watch_(std::make_shared<Watch>(socket_)) {}
  DeadlineSocket(const DeadlineSocket&) = delete;
  DeadlineSocket& operator=(const DeadlineSocket&) = delete;
  ~DeadlineSocket() {
    watch_->socket = nullptr;
    ++watch_->generation;
    watch_->timer.cancel();
  }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  Socket& socket() { return socket_; }

  void expires_after(Clock::duration d) {
    watch_->deadline = Clock::now() + d;
    if (!watch_->armed || watch_->deadline < watch_->armed_for) Watch::Arm(watch_);
  }
  // The timer, if armed, wakes once more and finds nothing to do.
  void expires_never() { watch_->deadline = Clock::time_point::max(); }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return Timed<void(boost::beast::error_code, size_t)>(
        std::forward<Token>(token),
        [this](auto handler, const Buffers& b) { socket_.async_read_some(b, std::move(handler)); },
        buffers);
  }
  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return Timed<void(boost::beast::error_code, size_t)>(
        std::forward<Token>(token),
        [this](auto handler, const Buffers& b) { socket_.async_write_some(b, std::move(handler)); },
        buffers);
  }
  template <typename Token>
  auto async_connect(const boost::asio::ip::tcp::endpoint& endpoint, Token&& token) {
    return Timed<void(boost::beast::error_code)>(
        std::forward<Token>(token),
        [this](auto handler, const boost::asio::ip::tcp::endpoint& e) {
          socket_.async_connect(e, std::move(handler));
        },
        endpoint);
  }

 private:
  // Shared with the pending wait, which may run after the socket is gone.
  struct Watch {
    explicit Watch(Socket& s) : timer(s.get_executor()), socket(&s) {}

    static void Arm(const std::shared_ptr<Watch>& w) {
      w->armed = true;
      w->armed_for = w->deadline;
      w->timer.expires_at(w->deadline);
      w->timer.async_wait([w, generation = ++w->generation](const boost::beast::error_code&) {
        if (generation != w->generation || w->socket == nullptr) return;  // re-armed or gone
        w->armed = false;
        if (w->deadline == Clock::time_point::max()) return;
        if (Clock::now() < w->deadline) return Arm(w);  // moved on meanwhile
        w->expired = true;
        boost::beast::error_code ignored;
        w->socket->close(ignored);
      });
    }

    boost::asio::steady_timer timer;
    Socket* socket;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point armed_for;
    bool armed = false;
    bool expired = false;  // the socket was closed for a deadline: errors read as timeout
    uint64_t generation = 0;
  };

  // Starts `start(handler, args...)` on the socket; its error reads as a timeout
  // once the deadline closed the socket.
  template <typename Signature, typename Token, typename Start, typename... Args>
  auto Timed(Token&& token, Start start, const Args&... args) {
    return boost::asio::async_initiate<Token, Signature>(
        [this, start](auto handler, const Args&... a) {
          auto ex = boost::asio::get_associated_executor(handler, socket_.get_executor());
          start(boost::asio::bind_executor(ex,
                                           [w = watch_, h = std::move(handler)](
                                               boost::beast::error_code ec, auto... n) mutable {
                                             if (ec && w->expired)
                                               ec = boost::beast::error::timeout;
                                             std::move(h)(ec, n...);
                                           }),
                a...);
        },
        token, args...);
  }

  Socket socket_;
  std::shared_ptr<Watch> watch_;
};

}  // namespace mm::sidecar
