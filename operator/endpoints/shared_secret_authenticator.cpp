#include "operator/endpoints/shared_secret_authenticator.h"

#include <fstream>
#include <sstream>

#include "common/constant_time.h"

namespace mm::op {

Result<std::optional<Caller>> SharedSecretAuthenticator::Authenticate(
    const std::string& bearer_token) {
  if (!secret_.empty() && ConstantTimeEquals(bearer_token, secret_)) {
    return std::optional<Caller>(Caller{kUsername, "", {}, nlohmann::json::object()});
  }
  auto caller = next_.Authenticate(bearer_token);
  // The username is reserved: a Kubernetes user of that name gets nothing of the secret's.
  if (caller && caller.value() && caller.value()->username == kUsername) {
    return std::optional<Caller>();
  }
  return caller;
}

Result<Authenticator::Decision> SharedSecretAuthenticator::Authorize(
    const Caller& caller, const ResourceAttributes& what) {
  if (caller.username != kUsername) return next_.Authorize(caller, what);
  const bool alerts = what.verb == "create" && what.group == "modelmonitor.io" &&
                      what.resource == "modelmonitors" && what.subresource == "alerts";
  if (alerts) return Decision{true, ""};
  return Decision{false,
                  "the Alertmanager shared secret may only post alerts (create "
                  "modelmonitors/alerts)"};
}

Result<std::string> ReadSharedSecret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read the shared secret file " + path};
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string s = buffer.str();
  const auto first = s.find_first_not_of(" \t\r\n");
  const auto last = s.find_last_not_of(" \t\r\n");
  s = first == std::string::npos ? "" : s.substr(first, last - first + 1);
  if (s.size() < 16) {
    return Error{"the shared secret in " + path + " is " + std::to_string(s.size()) +
                 " characters; use at least 16 (e.g. openssl rand -hex 32)"};
  }
  return s;
}

}  // namespace mm::op
