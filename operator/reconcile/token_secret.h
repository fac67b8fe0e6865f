#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/api/model_monitor.h"
#include "common/kube/kube_client.h"
#include "common/result.h"

namespace mm::op {

// The monitor's token Secret (common/api/monitor_tokens.h): `<monitor>-modelmonitor-tokens`
// with keys label-token and admin-token, each 32 random bytes as 64 hex digits,
// owned by the monitor (ownerReference, so the garbage collector deletes it with
// the monitor). Tokens are never logged and never rotated here: a key that is
// present and non-empty is kept, a missing or empty key is filled in.
nlohmann::json BuildTokenSecret(const api::ObjectMeta& monitor, const std::string& label_token,
                                const std::string& admin_token);

// 32 bytes from OpenSSL's CSPRNG as 64 lower-case hex digits.
std::string RandomToken();

// Creates the Secret when it is missing, fills in missing keys, and re-reads on a
// 409 (another writer). Errors name the Secret and the API's answer, never a token.
Status EnsureTokenSecret(kube::KubeClient& client, const api::ObjectMeta& monitor);

// EnsureTokenSecret at most once per `recheck` per monitor (by uid): reconciles
// run on every pod event of a monitor, and the Secret rarely changes. A Secret
// deleted by hand is back within `recheck`. Thread-safe (workers share it).
class TokenSecretKeeper {
 public:
  explicit TokenSecretKeeper(std::chrono::seconds recheck = std::chrono::minutes(5))
      : recheck_(recheck) {}
  Status Ensure(kube::KubeClient& client, const api::ObjectMeta& monitor);

 private:
  const std::chrono::seconds recheck_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> checked_;  // uid -> when
};

}  // namespace mm::op
