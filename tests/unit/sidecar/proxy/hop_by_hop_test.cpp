#include "sidecar/proxy/hop_by_hop.h"

#include <gtest/gtest.h>

namespace mm::sidecar {
namespace {

namespace bhttp = boost::beast::http;

TEST(HopByHopTest, RemovesConnectionSpecificFieldsAndThoseConnectionNames) {
  bhttp::fields f;
  f.insert(bhttp::field::connection, "keep-alive, X-Trace-Hop");
  f.insert(bhttp::field::connection, "x-other-hop");  // several Connection fields
  f.insert("X-Trace-Hop", "1");
  f.insert("X-Other-Hop", "1");
  f.insert(bhttp::field::keep_alive, "timeout=5");
  f.insert(bhttp::field::proxy_connection, "keep-alive");
  f.insert(bhttp::field::te, "trailers");
  f.insert(bhttp::field::transfer_encoding, "chunked");
  f.insert(bhttp::field::upgrade, "websocket");
  f.insert(bhttp::field::content_type, "application/json");
  f.insert("X-Request-Id", "abc");
  f.insert(bhttp::field::authorization, "Bearer t");
  StripHopByHopFields(f);
  std::vector<std::string> left;
  for (const auto& field : f) left.emplace_back(field.name_string());
  EXPECT_EQ(left, (std::vector<std::string>{"Content-Type", "X-Request-Id", "Authorization"}));
}

}  // namespace
}  // namespace mm::sidecar
