#include "operator/endpoints/kube_authenticator.h"

#include <openssl/sha.h>

namespace mm::op {
namespace {

using nlohmann::json;

constexpr size_t kMaxCached = 1024;

std::string Digest(const std::string& token) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

}  // namespace

std::string ResourceAttributes::Describe() const {
  std::string out = verb + " " + resource + (subresource.empty() ? "" : "/" + subresource);
  if (!group.empty()) out += "." + group;
  if (!name.empty()) out += " \"" + name + "\"";
  if (!ns.empty()) out += " in namespace " + ns;
  return out;
}

json KubeAuthenticator::TokenReview(const std::string& token) {
  return {{"apiVersion", "authentication.k8s.io/v1"},
          {"kind", "TokenReview"},
          {"spec", {{"token", token}}}};
}

json KubeAuthenticator::SubjectAccessReview(const Caller& c, const ResourceAttributes& w) {
  json attributes = {{"verb", w.verb}, {"group", w.group}, {"resource", w.resource}};
  if (!w.subresource.empty()) attributes["subresource"] = w.subresource;
  if (!w.ns.empty()) attributes["namespace"] = w.ns;
  if (!w.name.empty()) attributes["name"] = w.name;
  json spec = {{"user", c.username}, {"groups", c.groups}, {"resourceAttributes", attributes}};
  if (!c.uid.empty()) spec["uid"] = c.uid;
  if (c.extra.is_object() && !c.extra.empty()) spec["extra"] = c.extra;
  return {
      {"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}, {"spec", spec}};
}

Result<std::optional<Caller>> KubeAuthenticator::Authenticate(const std::string& token) {
  const std::string key = Digest(token);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (it->second.expires > now) return std::optional<Caller>(it->second.caller);
      cache_.erase(it);
    }
  }
  const auto r = client_.Create("/apis/authentication.k8s.io/v1/tokenreviews", TokenReview(token));
  if (!r.ok()) return Error{"TokenReview failed: " + r.Message()};
  const json status = r.body.value("status", json::object());
  if (!status.value("authenticated", false)) return std::optional<Caller>();
  const json user = status.value("user", json::object());
  Caller c;
  c.username = user.value("username", "");
  c.uid = user.value("uid", "");
  for (const auto& g : user.value("groups", json::array())) {
    if (g.is_string()) c.groups.push_back(g.get<std::string>());
  }
  c.extra = user.value("extra", json::object());
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCached) cache_.clear();  // rare; a full cache just costs reviews
  cache_[key] = {c, now + ttl_};
  return std::optional<Caller>(std::move(c));
}

Result<Authenticator::Decision> KubeAuthenticator::Authorize(const Caller& caller,
                                                             const ResourceAttributes& what) {
  const auto r = client_.Create("/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                SubjectAccessReview(caller, what));
  if (!r.ok()) return Error{"SubjectAccessReview failed: " + r.Message()};
  const json status = r.body.value("status", json::object());
  Decision d;
  d.allowed = status.value("allowed", false) && !status.value("denied", false);
  d.reason = status.value("reason", "");
  return d;
}

}  // namespace mm::op
