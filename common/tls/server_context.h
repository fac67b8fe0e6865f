#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/result.h"

namespace mm::tls {

// A server-side TLS context that speaks TLS 1.2 and 1.3 only, with the given
// certificate (chain) and key. Fails with the reason when the PEM does not load
// or the key does not match.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerContext(const std::string& cert_pem,
                                                                     const std::string& key_pem);

// A client-side context that trusts only `ca_pem` and verifies the peer (tests,
// benchmarks, and anything of ours that calls our own HTTPS servers).
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientContext(const std::string& ca_pem);

}  // namespace mm::tls
