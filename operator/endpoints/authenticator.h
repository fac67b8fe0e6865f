#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace mm::op {

// Who called, as the Kubernetes API authenticated them (TokenReview's status.user).
struct Caller {
  std::string username;  // "system:serviceaccount:ns:name", "alice@example.com"
  std::string uid;
  std::vector<std::string> groups;
  nlohmann::json extra = nlohmann::json::object();  // map of string lists
};

// What a caller asks to do, in RBAC's terms (SubjectAccessReview resourceAttributes).
struct ResourceAttributes {
  std::string verb;         // "create"
  std::string group;        // "modelmonitor.io"
  std::string resource;     // "modelmonitors"
  std::string subresource;  // "labels"
  std::string ns;
  std::string name;

  // "create modelmonitors/labels \"fraud\" in namespace prod", for error messages.
  std::string Describe() const;
};

// Decides who a bearer token belongs to and what they may do. The operator's
// implementation asks the Kubernetes API (KubeAuthenticator); an error means the
// question could not be answered (the API is down), not "no".
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // nullopt: the token is not valid (expired, unknown, wrong audience).
  virtual Result<std::optional<Caller>> Authenticate(const std::string& bearer_token) = 0;
  // Whether `caller` may do `what`; `reason` (may be empty) says why not.
  struct Decision {
    bool allowed = false;
    std::string reason;
  };
  virtual Result<Decision> Authorize(const Caller& caller, const ResourceAttributes& what) = 0;
};

}  // namespace mm::op
