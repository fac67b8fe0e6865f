#pragma once

#include <string>

#include "operator/endpoints/authenticator.h"

namespace mm::op {

// Accepts one more bearer token besides the Kubernetes API's: a shared secret
// (--alert-receiver-token-file) for callers that cannot present a Kubernetes
// token, such as an Alertmanager outside the cluster (its webhook_config's
// http_config.authorization.credentials_file). The secret's caller,
// "modelmonitor:alertmanager", may do one thing only: `create
// modelmonitors/alerts` (post to the Alertmanager receiver); every other token
// goes to `next` (a Kubernetes user with that reserved name is refused). An empty
// secret accepts nothing extra.
class SharedSecretAuthenticator final : public Authenticator {
 public:
  static constexpr char kUsername[] = "modelmonitor:alertmanager";

  SharedSecretAuthenticator(std::string secret, Authenticator& next)
      : secret_(std::move(secret)), next_(next) {}

  Result<std::optional<Caller>> Authenticate(const std::string& bearer_token) override;
  Result<Decision> Authorize(const Caller& caller, const ResourceAttributes& what) override;

 private:
  const std::string secret_;
  Authenticator& next_;
};

// Reads a shared secret from `path` (surrounding whitespace trimmed); an error
// when it cannot be read or is shorter than 16 characters.
Result<std::string> ReadSharedSecret(const std::string& path);

}  // namespace mm::op
