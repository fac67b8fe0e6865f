#pragma once

// What the proxy's coroutines share: the completion token that hands errors back
// in an error_code (no exceptions on the request path) and the read buffer size.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <cstddef>

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

}  // namespace mm::sidecar
