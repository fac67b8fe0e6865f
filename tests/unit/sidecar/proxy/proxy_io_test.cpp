// The proxy's own message head writer against Beast's serializer: the bytes on
// the wire must be the same for every request and response it writes.
#include "sidecar/proxy/proxy_io.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/serializer.hpp>
#include <string>

namespace mm::sidecar {
namespace {

// What Beast's serializer writes for `message`.
template <bool kRequest>
std::string BeastText(bhttp::message<kRequest, bhttp::string_body>& message) {
  bhttp::serializer<kRequest, bhttp::string_body> sr{message};
  std::string out;
  boost::beast::error_code ec;
  while (!sr.is_done() && !ec) {
    sr.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      out += boost::beast::buffers_to_string(buffers);
      sr.consume(boost::beast::buffer_bytes(buffers));
    });
  }
  EXPECT_FALSE(ec) << ec.message();
  return out;
}

template <bool kRequest>
std::string OwnText(const bhttp::message<kRequest, bhttp::string_body>& message) {
  std::string out;
  AppendHead(message.base(), out);
  return out + message.body();
}

TEST(ProxyIoTest, RequestHeadsAreWhatBeastWrites) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/v2/models/iris/infer?x=1", 11};
  req.set(bhttp::field::host, "model:8080");
  req.set(bhttp::field::content_type, "application/json");
  req.set("x-request-id", "6f1c2d0e");
  req.insert("X-Repeated", "a");
  req.insert("X-Repeated", "b");
  req.body() = R"({"inputs":[]})";
  req.prepare_payload();
  EXPECT_EQ(OwnText(req), BeastText(req));

  bhttp::request<bhttp::string_body> custom{bhttp::verb::get, "/", 10};
  custom.method_string("PURGE");  // a method Beast does not know
  EXPECT_EQ(OwnText(custom), BeastText(custom));
  EXPECT_EQ(OwnText(custom), "PURGE / HTTP/1.0\r\n\r\n");
}

TEST(ProxyIoTest, ResponseHeadsAreWhatBeastWrites) {
  bhttp::response<bhttp::string_body> ok{bhttp::status::ok, 11};
  ok.set(bhttp::field::content_type, "application/json");
  ok.set(bhttp::field::server, "nginx/1.22.1");
  ok.body() = R"({"outputs":[]})";
  ok.prepare_payload();
  ok.keep_alive(false);
  EXPECT_EQ(OwnText(ok), BeastText(ok));

  bhttp::response<bhttp::string_body> odd{bhttp::status::ok, 10};
  odd.result(299);  // no standard reason phrase
  EXPECT_EQ(OwnText(odd), BeastText(odd));
  odd.reason("Fine Anyway");
  EXPECT_EQ(OwnText(odd), BeastText(odd));
  EXPECT_EQ(OwnText(odd).substr(0, 29), "HTTP/1.0 299 Fine Anyway\r\n\r\n");

  bhttp::response<bhttp::string_body> none{bhttp::status::no_content, 11};
  EXPECT_EQ(OwnText(none), BeastText(none));
}

}  // namespace
}  // namespace mm::sidecar
