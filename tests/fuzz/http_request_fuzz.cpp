// The data port's request parsing: Beast's parser with the sidecar's limits, then
// the hop-by-hop stripping the proxy applies. Never crashes, never exceeds limits.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdlib>

#include "sidecar/proxy/hop_by_hop.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bhttp = boost::beast::http;
  const boost::asio::const_buffer input(data, size);
  bhttp::request_parser<bhttp::empty_body> head;
  head.header_limit(16 << 10);
  head.body_limit(64 << 10);
  head.eager(false);
  boost::beast::error_code ec;
  const size_t used = head.put(input, ec);
  if (ec || !head.is_header_done()) return 0;
  mm::sidecar::StripHopByHopFields(head.get().base());
  // The rest is the body, read whole as the proxy does for small bodies.
  bhttp::request_parser<bhttp::string_body> whole{std::move(head)};
  whole.body_limit(64 << 10);
  size_t offset = used;
  while (!ec && !whole.is_done() && offset < size) {
    offset += whole.put(boost::asio::const_buffer(data + offset, size - offset), ec);
    if (ec == bhttp::error::need_more) break;
  }
  if (whole.get().body().size() > (64 << 10)) std::abort();
  return 0;
}
