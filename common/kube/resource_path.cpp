#include "common/kube/resource_path.h"

#include <cctype>
#include <cstdio>

namespace mm::kube {

std::string UrlEncode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string ResourcePath::Url() const {
  std::string url =
      api_version.find('/') == std::string::npos ? "/api/" + api_version : "/apis/" + api_version;
  if (!ns.empty()) url += "/namespaces/" + ns;
  url += "/" + resource;
  if (!name.empty()) url += "/" + name;
  if (!subresource.empty()) url += "/" + subresource;
  char sep = '?';
  for (const auto& [k, v] : query) {
    url += sep + k + "=" + UrlEncode(v);
    sep = '&';
  }
  return url;
}

}  // namespace mm::kube
