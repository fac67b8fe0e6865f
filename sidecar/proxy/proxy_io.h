#pragma once

// What the proxy's coroutines share: the completion token that hands errors back
// in an error_code (no exceptions on the request path), buffer sizes, and the two
// shortcuts past the event loop's queue for I/O that needs no waiting.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>

#include "sidecar/proxy/deadline_socket.h"

namespace mm::sidecar {

inline auto Await(boost::beast::error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

// Read buffers start this large. Beast reads at most max(512, free capacity) bytes
// at a time and a flat_buffer keeps its capacity, so an unreserved buffer read a
// 1 KB request or response in three recvmsg calls, every time.
constexpr size_t kReadBufferBytes = 16 << 10;

// A streamed body passes through a buffer this large. Allocated for streamed bodies
// only: a buffer in a coroutine's frame would be allocated for every request.
constexpr size_t kStreamChunkBytes = 16 << 10;

// An asynchronous operation that needs no waiting (its bytes are already read, or
// the socket takes them at once) still completes through the event loop's queue: a
// full turn of the loop, a sixth of the sidecar's own CPU per request when every
// step went that way. These two do such steps directly.

// Feeds `parser` the bytes `buffer` already holds. True when that completes the
// message; false when more must be read (`ec` clear) or the bytes are not valid
// HTTP (`ec` set, as the asynchronous read would have set it).
template <class Parser>
bool ParseBuffered(Parser& parser, boost::beast::flat_buffer& buffer,
                   boost::beast::error_code& ec) {
  parser.eager(true);
  while (!parser.is_done() && buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == boost::beast::http::error::need_more) {
      ec = {};
      return false;
    }
    if (ec || used == 0) return false;
  }
  return parser.is_done();
}

// Writes `message` to `stream`: as much as the socket takes now (the socket is
// non-blocking), the rest, if any, asynchronously under the stream's deadline.
template <bool kRequest, class Body, class Fields>
boost::asio::awaitable<void> WriteMessage(
    DeadlineSocket& stream, boost::beast::http::message<kRequest, Body, Fields>& message,
    boost::beast::error_code& ec) {
  boost::beast::http::serializer<kRequest, Body, Fields> serializer{message};
  boost::beast::http::write(stream.socket(), serializer, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    co_await boost::beast::http::async_write(stream, serializer, Await(ec));
  }
}

}  // namespace mm::sidecar
