#pragma once

#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>

namespace mm::sidecar {

// What the proxy says when it cannot forward a request.

// "30s" or "1500ms", as the options are written.
std::string FormatTimeout(std::chrono::milliseconds d);

// Whether the model closed the connection before sending anything (rather than
// sending something that is not HTTP).
bool IsRefusedEarly(const boost::beast::error_code& ec);

// Status and message for a request head the proxy cannot accept, or 0 to just close.
std::pair<int, std::string> RequestRefusal(const boost::beast::error_code& ec,
                                           size_t max_header_bytes, size_t max_body_bytes);

// The JSON body of the sidecar's own error responses: {"error": message}.
std::string ErrorBody(const std::string& message);

}  // namespace mm::sidecar
