#include "sidecar/proxy/hop_by_hop.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <string>
#include <vector>

namespace mm::sidecar {

void StripHopByHopFields(boost::beast::http::fields& fields) {
  namespace bhttp = boost::beast::http;
  // Names listed in every Connection field (there may be several).
  std::vector<std::string> named;
  for (auto it = fields.find(bhttp::field::connection);
       it != fields.end() && it->name() == bhttp::field::connection; ++it) {
    for (const auto& token : bhttp::token_list(it->value())) {
      named.emplace_back(token.data(), token.size());
    }
  }
  for (const auto& name : named) fields.erase(boost::beast::string_view(name));
  for (bhttp::field f :
       {bhttp::field::connection, bhttp::field::proxy_connection, bhttp::field::keep_alive,
        bhttp::field::te, bhttp::field::transfer_encoding, bhttp::field::upgrade}) {
    fields.erase(f);
  }
}

}  // namespace mm::sidecar
