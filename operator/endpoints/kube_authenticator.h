#pragma once

#include <chrono>
#include <map>
#include <mutex>

#include "common/kube/kube_client.h"
#include "operator/endpoints/authenticator.h"

namespace mm::op {

// Authenticates with a TokenReview and authorises with a SubjectAccessReview,
// both answered by the Kubernetes API (what kube-rbac-proxy and aggregated API
// servers do). The operator's ServiceAccount needs `create` on
// tokenreviews.authentication.k8s.io and subjectaccessreviews.authorization.k8s.io
// (the built-in ClusterRole system:auth-delegator grants both). Positive token
// reviews are cached for `cache_ttl` (keyed by a SHA-256 of the token, never the
// token), so a label pipeline posting often costs one review per TTL.
class KubeAuthenticator final : public Authenticator {
 public:
  explicit KubeAuthenticator(kube::KubeClient& client,
                             std::chrono::seconds cache_ttl = std::chrono::seconds(10))
      : client_(client), ttl_(cache_ttl) {}

  Result<std::optional<Caller>> Authenticate(const std::string& bearer_token) override;
  Result<Decision> Authorize(const Caller& caller, const ResourceAttributes& what) override;

  // The review bodies (public for tests).
  static nlohmann::json TokenReview(const std::string& token);
  static nlohmann::json SubjectAccessReview(const Caller& caller, const ResourceAttributes& what);

 private:
  kube::KubeClient& client_;
  const std::chrono::seconds ttl_;
  std::mutex mu_;
  struct Cached {
    Caller caller;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, Cached> cache_;  // SHA-256 of the token -> caller
};

}  // namespace mm::op
