#include "sidecar/sidecar_config.h"

#include <cctype>

namespace mm::sidecar {

Status SidecarConfig::Validate() const {
  const double rate = requests.sample_rate;
  if (rate < 0 || rate > 1 || rate != rate) {
    return Error{"sampleRate: " + std::to_string(rate) +
                 " is not between 0 and 1 (1 records every request)"};
  }
  if (requests.max_body_bytes == 0) return Error{"maxBodyBytes: must be at least 1"};
  if (proxy.max_header_bytes < 1024) {
    return Error{"max header bytes: " + std::to_string(proxy.max_header_bytes) +
                 " is too small for real clients (use at least 1024, default 16384)"};
  }
  if (requests.request_id_header.empty()) {
    return Error{"requestIdHeader: must name a header, e.g. x-request-id"};
  }
  for (char c : requests.request_id_header) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return Error{"requestIdHeader: \"" + requests.request_id_header +
                   "\" is not a lower-case header name (use e.g. x-request-id)"};
    }
  }
  if (proxy.upstream_port == 0) return Error{"upstream port: must be 1..65535 (the model's port)"};
  if (proxy.port != 0 && proxy.port == admin_port) {
    return Error{"data port and admin port are both " + std::to_string(admin_port) +
                 " (they must differ)"};
  }
  if (proxy.threads < 1 || proxy.threads > 64) {
    return Error{"threads: " + std::to_string(proxy.threads) + " is not in 1..64"};
  }
  for (auto [name, value] : {std::pair{"client timeout", proxy.client_timeout},
                             std::pair{"upstream connect timeout", proxy.upstream_connect_timeout},
                             std::pair{"upstream timeout", proxy.upstream_timeout}}) {
    if (value.count() <= 0) return Error{std::string(name) + ": must be positive (e.g. 30s)"};
  }
  if (bucket_width.count() <= 0 || bucket_count == 0) {
    return Error{"snapshot buckets: width and count must be positive (default 10s x 360)"};
  }
  auto adapter = MakeProtocolAdapter(protocol);
  if (!adapter) return adapter.error();
  return OkStatus();
}

}  // namespace mm::sidecar
