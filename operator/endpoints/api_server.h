#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/http/server.h"
#include "common/result.h"
#include "common/tls/serving_certificates.h"
#include "operator/endpoints/authenticator.h"

namespace mm::op {

// Path parameters of a route pattern: "/apis/x/namespaces/{ns}/things/{name}"
// matched against "/apis/x/namespaces/prod/things/a" gives {ns: prod, name: a}.
using PathParams = std::map<std::string, std::string>;

// Who may call a route. Every non-public route needs `Authorization: Bearer
// <token>`, checked with the Authenticator: no or a malformed header -> 401, a
// token the API does not accept -> 401, the review failing -> 503.
struct AuthPolicy {
  enum class Kind { kPublic, kAuthenticated, kAuthorized };
  Kind kind = Kind::kAuthorized;
  // kAuthorized: what the caller must be allowed to do, from the path parameters
  // (a SubjectAccessReview; denied -> 403 naming the verb and resource).
  std::function<ResourceAttributes(const PathParams&)> attributes;

  static AuthPolicy Public() { return {Kind::kPublic, nullptr}; }
  static AuthPolicy Authenticated() { return {Kind::kAuthenticated, nullptr}; }
  // verb on group/resource[/subresource], in namespace {ns}, named {name} (when the
  // pattern has those parameters).
  static AuthPolicy Allowed(std::string verb, std::string group, std::string resource,
                            std::string subresource = "");
};

// What a handler gets: the HTTP request, its path parameters, and the caller
// (empty username for public routes).
struct ApiRequest {
  const http::Request& http;
  PathParams params;
  Caller caller;
};
using ApiHandler = std::function<http::Response(const ApiRequest&)>;

struct ApiServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8444;  // 0: any free port (tests)
  int threads = 4;
  size_t max_body_bytes = 16 << 20;                // a label upload's limit (docs/accuracy.md)
  std::shared_ptr<boost::asio::ssl::context> tls;  // required: the API is HTTPS only
};

// The operator's HTTPS API (docs/operator-api.md): routes registered by the
// parts that serve on it (the label gateway; the Alertmanager receiver), each
// with its AuthPolicy, on the shared http::Server. Authentication and
// authorisation happen here, before any handler runs, so a handler only sees
// callers its policy admitted. Unknown paths get 404, a known path with another
// method 405. Handlers run on the server's threads and must be thread-safe.
class ApiServer {
 public:
  ApiServer(ApiServerOptions options, Authenticator& authenticator);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Before Start(). `pattern` is a path whose segments may be "{param}".
  void Handle(std::string method, std::string pattern, AuthPolicy policy, ApiHandler handler);

  Status Start();
  void Stop();
  uint16_t port() const;
  void SetTlsContext(std::shared_ptr<boost::asio::ssl::context> tls);
  // Serves `certs` to new connections (a renewed certificate); false when they do not load.
  Status UseCertificates(const tls::ServingCertificates& certs);

  // Matches `path` against `pattern` (public for tests).
  static bool MatchPattern(const std::string& pattern, const std::string& path, PathParams* params);

 private:
  struct Route {
    std::string method;
    std::string pattern;
    AuthPolicy policy;
    ApiHandler handler;
  };
  http::Response Dispatch(const http::Request& request) const;
  http::Response Admit(const Route& route, const http::Request& request, PathParams params) const;

  ApiServerOptions options_;
  Authenticator& authenticator_;
  std::vector<Route> routes_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace mm::op
