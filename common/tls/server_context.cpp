#include "common/tls/server_context.h"

#include <openssl/ssl.h>

#include "common/tls/pem.h"

namespace mm::tls {
namespace {

namespace ssl = boost::asio::ssl;

constexpr auto kOptions = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use;

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerContext(const std::string& cert_pem,
                                                        const std::string& key_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(kOptions, ec);
  if (ec) return Error{"cannot set TLS options: " + ec.message()};
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return Error{"cannot require TLS 1.2: " + OpenSslError()};
  }
  ctx->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) return Error{"the serving certificate does not load: " + ec.message()};
  ctx->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return Error{"the serving key does not load: " + ec.message()};
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Error{"the serving key does not belong to the certificate: " + OpenSslError()};
  }
  return ctx;
}

Result<std::shared_ptr<ssl::context>> MakeClientContext(const std::string& ca_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(kOptions, ec);
  if (ec) return Error{"cannot set TLS options: " + ec.message()};
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->add_certificate_authority(boost::asio::buffer(ca_pem), ec);
  if (ec) return Error{"the CA does not load: " + ec.message()};
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Error{"cannot require peer verification: " + ec.message()};
  return ctx;
}

}  // namespace mm::tls
