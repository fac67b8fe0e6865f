#include "operator/endpoints/api_server.h"

#include <set>

#include "common/log.h"
#include "common/tls/server_context.h"

namespace mm::op {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    const size_t stop = end == std::string_view::npos ? path.size() : end;
    out.push_back(path.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

http::Response Unauthorized(const std::string& why) {
  http::Response r = http::Response::Error(401, why);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

AuthPolicy AuthPolicy::Allowed(std::string verb, std::string group, std::string resource,
                               std::string subresource) {
  return {Kind::kAuthorized, [=](const PathParams& p) {
            ResourceAttributes a{verb, group, resource, subresource, "", ""};
            if (auto it = p.find("ns"); it != p.end()) a.ns = it->second;
            if (auto it = p.find("name"); it != p.end()) a.name = it->second;
            return a;
          }};
}

ApiServer::ApiServer(ApiServerOptions options, Authenticator& authenticator)
    : options_(std::move(options)), authenticator_(authenticator) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Handle(std::string method, std::string pattern, AuthPolicy policy,
                       ApiHandler handler) {
  routes_.push_back({std::move(method), std::move(pattern), std::move(policy), std::move(handler)});
}

bool ApiServer::MatchPattern(const std::string& pattern, const std::string& path,
                             PathParams* params) {
  const auto want = Segments(pattern);
  const auto got = Segments(path);
  if (want.size() != got.size()) return false;
  PathParams found;
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string_view w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty()) return false;
      found[std::string(w.substr(1, w.size() - 2))] = std::string(got[i]);
    } else if (w != got[i]) {
      return false;
    }
  }
  if (params) *params = std::move(found);
  return true;
}

Status ApiServer::Start() {
  if (!options_.tls) return Error{"the operator API needs TLS certificates"};
  http::ServerOptions so;
  so.address = options_.address;
  so.port = options_.port;
  so.threads = options_.threads;
  so.max_body_bytes = options_.max_body_bytes;
  so.tls = options_.tls;
  server_ = std::make_unique<http::Server>(std::move(so));
  std::set<std::string> methods;
  for (const auto& r : routes_) methods.insert(r.method);
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE"}) methods.insert(m);
  for (const auto& m : methods) {
    server_->HandlePrefix(m, "/", [this](const http::Request& req) { return Dispatch(req); });
  }
  if (auto s = server_->Start(); !s) {
    return Error{"operator API on " + options_.address + ":" + std::to_string(options_.port) +
                 ": " + s.error().message};
  }
  log::Info("operator API serving", {{"port", server_->port()}, {"routes", routes_.size()}});
  return OkStatus();
}

void ApiServer::Stop() {
  if (server_) server_->Stop();
}

uint16_t ApiServer::port() const { return server_ ? server_->port() : 0; }

void ApiServer::SetTlsContext(std::shared_ptr<boost::asio::ssl::context> tls) {
  if (server_) server_->SetTlsContext(std::move(tls));
}

Status ApiServer::UseCertificates(const tls::ServingCertificates& certs) {
  auto tls = tls::MakeServerContext(certs.cert_pem, certs.key_pem);
  if (!tls) return tls.error();
  SetTlsContext(std::move(tls).value());
  log::Info("operator API serving certificate replaced");
  return OkStatus();
}

http::Response ApiServer::Dispatch(const http::Request& req) const {
  bool path_known = false;
  std::string allowed;
  for (const auto& r : routes_) {
    PathParams params;
    if (!MatchPattern(r.pattern, req.path, &params)) continue;
    path_known = true;
    if (r.method == req.method) return Admit(r, req, std::move(params));
    allowed += (allowed.empty() ? "" : ", ") + r.method;
  }
  if (!path_known) return http::Response::Error(404, "no such path: " + req.path);
  http::Response resp = http::Response::Error(
      405, "method " + req.method + " is not allowed on " + req.path + " (use " + allowed + ")");
  resp.headers.emplace_back("Allow", allowed);
  return resp;
}

http::Response ApiServer::Admit(const Route& route, const http::Request& req,
                                PathParams params) const {
  ApiRequest api{req, std::move(params), {}};
  if (route.policy.kind != AuthPolicy::Kind::kPublic) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view header = req.Header("authorization");
    if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) {
      return Unauthorized(
          "missing credentials: send \"Authorization: Bearer <token>\" with a Kubernetes token "
          "(e.g. a ServiceAccount token from `kubectl create token <serviceaccount>`)");
    }
    auto who = authenticator_.Authenticate(std::string(header.substr(kBearer.size())));
    if (!who) {
      log::Warning("operator API: cannot authenticate", {{"error", who.error().message}});
      return http::Response::Error(503, "cannot check the token now: " + who.error().message);
    }
    if (!who->has_value()) {
      return Unauthorized("the bearer token is not valid for this cluster (expired or unknown)");
    }
    api.caller = std::move(**who);
  }
  if (route.policy.kind == AuthPolicy::Kind::kAuthorized) {
    const ResourceAttributes what = route.policy.attributes(api.params);
    auto decision = authenticator_.Authorize(api.caller, what);
    if (!decision) {
      log::Warning("operator API: cannot authorise", {{"error", decision.error().message}});
      return http::Response::Error(503,
                                   "cannot check permissions now: " + decision.error().message);
    }
    if (!decision->allowed) {
      log::Info("operator API: forbidden",
                {{"user", api.caller.username}, {"wants", what.Describe()}});
      return http::Response::Error(
          403, "user \"" + api.caller.username + "\" may not " + what.Describe() +
                   (decision->reason.empty() ? "" : " (" + decision->reason + ")") +
                   "; grant it with a Role rule {apiGroups: [\"" + what.group +
                   "\"], resources: [\"" + what.resource +
                   (what.subresource.empty() ? "" : "/" + what.subresource) + "\"], verbs: [\"" +
                   what.verb + "\"]}");
    }
  }
  return route.handler(api);
}

}  // namespace mm::op
