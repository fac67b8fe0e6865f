#pragma once

#include <boost/beast/http/fields.hpp>

namespace mm::sidecar {

// Removes the connection-specific fields a proxy must not forward (RFC 9110
// section 7.6.1): Connection and every field it names, Proxy-Connection,
// Keep-Alive, TE, Transfer-Encoding and Upgrade. The proxy sets the framing
// (Content-Length or chunked) and its own Connection for each hop.
void StripHopByHopFields(boost::beast::http::fields& fields);

}  // namespace mm::sidecar
