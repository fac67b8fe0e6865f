#include "operator/reconcile/token_secret.h"

#include <openssl/rand.h>

#include <vector>

#include "common/api/monitor_tokens.h"
#include "common/base64.h"
#include "common/kube/resource_path.h"

namespace mm::op {
namespace {

using nlohmann::json;

constexpr int kAttempts = 5;

// The keys of `secret.data` that are absent or empty.
std::vector<std::string> MissingKeys(const json& secret) {
  std::vector<std::string> missing;
  const json data = secret.is_object() ? secret.value("data", json::object()) : json::object();
  for (std::string_view key : {api::kLabelTokenKey, api::kAdminTokenKey}) {
    const auto it = data.is_object() ? data.find(std::string(key)) : data.end();
    if (!data.is_object() || it == data.end() || !it->is_string() ||
        it->get_ref<const std::string&>().empty()) {
      missing.emplace_back(key);
    }
  }
  return missing;
}

}  // namespace

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

json BuildTokenSecret(const api::ObjectMeta& m, const std::string& label_token,
                      const std::string& admin_token) {
  json owner = {{"apiVersion", api::kApiVersion},
                {"kind", api::kKind},
                {"name", m.name},
                {"uid", m.uid},
                {"controller", true},
                {"blockOwnerDeletion", true}};
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", api::TokenSecretName(m.name)},
            {"namespace", m.namespace_name},
            {"labels",
             {{"app.kubernetes.io/name", "modelmonitor"}, {"modelmonitor.io/monitor", m.name}}},
            {"ownerReferences", json::array({owner})}}},
          {"type", "Opaque"},
          {"data",
           {{std::string(api::kLabelTokenKey), Base64Encode(label_token)},
            {std::string(api::kAdminTokenKey), Base64Encode(admin_token)}}}};
}

Status EnsureTokenSecret(kube::KubeClient& client, const api::ObjectMeta& m) {
  const std::string name = api::TokenSecretName(m.name);
  const std::string where = "Secret " + m.namespace_name + "/" + name;
  const std::string path = kube::ResourcePath{"v1", "secrets", m.namespace_name, name}.Url();
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const auto got = client.Get(path);
    if (got.status == 404) {
      const std::string label = RandomToken(), admin = RandomToken();
      if (label.empty() || admin.empty())
        return Error{"no random bytes for the tokens of " + where};
      const auto created =
          client.Create(kube::ResourcePath{"v1", "secrets", m.namespace_name}.Url(),
                        BuildTokenSecret(m, label, admin));
      if (created.ok()) return OkStatus();
      if (created.status == 409) continue;  // created meanwhile: read it
      return Error{"cannot create " + where + ": " + created.Message()};
    }
    if (!got.ok()) return Error{"cannot read " + where + ": " + got.Message()};
    const auto missing = MissingKeys(got.body);
    if (missing.empty()) return OkStatus();
    json data = json::object();
    for (const auto& key : missing) {
      const std::string token = RandomToken();
      if (token.empty()) return Error{"no random bytes for the tokens of " + where};
      data[key] = Base64Encode(token);
    }
    // The resourceVersion makes the patch fail (409) if someone else wrote meanwhile.
    const json patch = {
        {"metadata", {{"resourceVersion", got.body["metadata"].value("resourceVersion", "")}}},
        {"data", data}};
    const auto patched = client.Patch(path, patch, kube::PatchType::kMerge);
    if (patched.ok()) return OkStatus();
    if (patched.status == 409 || patched.status == 404) continue;
    return Error{"cannot fill in the tokens of " + where + ": " + patched.Message()};
  }
  return Error{where + " kept changing; gave up after " + std::to_string(kAttempts) + " attempts"};
}

Status TokenSecretKeeper::Ensure(kube::KubeClient& client, const api::ObjectMeta& m) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checked_.find(m.uid);
    if (it != checked_.end() && now - it->second < recheck_) return OkStatus();
  }
  auto s = EnsureTokenSecret(client, m);
  if (s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (checked_.size() > 100000) checked_.clear();  // deleted monitors' entries
    checked_[m.uid] = now;
  }
  return s;
}

}  // namespace mm::op
