// DeadlineSocket keeps beast::tcp_stream's timeout contract with one timer per
// connection: a read past its deadline fails with beast::error::timeout and closes
// the socket; deadlines that keep moving on (as each request sets one) never fire.
#include "sidecar/proxy/deadline_socket.h"

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A connected pair: the DeadlineSocket and a plain peer.
struct Pair {
  asio::io_context io{1};
  DeadlineSocket socket{io.get_executor()};
  tcp::socket peer{io};
  Pair() {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    socket.socket().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }
};

TEST(DeadlineSocketTest, AReadPastItsDeadlineTimesOutAndClosesTheSocket) {
  Pair p;
  char byte = 0;
  boost::beast::error_code result;
  p.socket.expires_after(20ms);
  p.socket.async_read_some(asio::buffer(&byte, 1),
                           [&](boost::beast::error_code ec, size_t) { result = ec; });
  p.io.run();
  EXPECT_EQ(result, boost::beast::error::timeout);
  EXPECT_FALSE(p.socket.socket().is_open());
}

TEST(DeadlineSocketTest, DeadlinesThatMoveOnAndNoDeadlineNeverFire) {
  Pair p;
  char byte = 0;
  int reads = 0;
  boost::beast::error_code last;
  // Each read is answered well within its deadline; the deadline is set again before
  // every read, as the proxy does, so the first one's time passes several times over.
  std::function<void()> read = [&] {
    p.socket.expires_after(100ms);
    p.socket.async_read_some(asio::buffer(&byte, 1), [&](boost::beast::error_code ec, size_t) {
      last = ec;
      if (ec) return;
      if (++reads < 8) return read();
      p.socket.expires_never();  // idle, as in the pool: the armed timer wakes once, no more
    });
  };
  read();
  asio::steady_timer writer(p.io);
  std::function<void()> write = [&] {
    writer.expires_after(25ms);
    writer.async_wait([&](auto) {
      asio::write(p.peer, asio::buffer("x", 1));
      if (reads < 7) write();
    });
  };
  write();
  p.io.run();  // returns once the last timer has woken up
  EXPECT_EQ(reads, 8);
  EXPECT_FALSE(last);
  EXPECT_TRUE(p.socket.socket().is_open());
}

}  // namespace
}  // namespace mm::sidecar
