#include "sidecar/proxy/proxy_errors.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <nlohmann/json.hpp>

namespace mm::sidecar {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string FormatTimeout(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

bool IsRefusedEarly(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

std::pair<int, std::string> RequestRefusal(const beast::error_code& ec, size_t max_header_bytes,
                                           size_t max_body_bytes) {
  if (ec == bhttp::error::header_limit) {
    return {431,
            "request headers exceed the limit of " + std::to_string(max_header_bytes) + " bytes"};
  }
  if (ec == bhttp::error::body_limit) {
    return {413, "request body exceeds the limit of " + std::to_string(max_body_bytes) +
                     " bytes (maxBodyBytes)"};
  }
  if (ec.category() == beast::error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return {400, "malformed HTTP/1.1 request: " + ec.message()};
  }
  return {0, ""};
}

std::string ErrorBody(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

}  // namespace mm::sidecar
