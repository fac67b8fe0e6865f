#include "common/kube/rest_kube_client.h"

#include <cpprest/containerstream.h>

#include <fstream>
#include <sstream>

#include "common/kube/watch_event.h"

namespace mm::kube {
namespace {

using web::http::http_request;
using web::http::methods;

const char* ContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";  // JSON is valid YAML
  }
  return "application/merge-patch+json";
}

nlohmann::json ParseBody(const std::string& text) {
  if (text.empty()) return nullptr;
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return text;  // not JSON: keep the text for the message
  return parsed;
}

}  // namespace

std::string ApiResponse::Message() const {
  if (!error.empty()) return error;
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  if (body.is_string()) return body.get<std::string>();
  return "HTTP " + std::to_string(status);
}

RestKubeClient::RestKubeClient(ClusterConfig config, std::chrono::seconds timeout)
    : config_(std::move(config)),
      client_(
          std::make_unique<web::http::client::http_client>(config_.server, ClientConfig(timeout))),
      watch_client_(std::make_unique<web::http::client::http_client>(
          config_.server, ClientConfig(std::chrono::hours(1)))) {}

web::http::client::http_client_config RestKubeClient::ClientConfig(
    std::chrono::seconds timeout) const {
  web::http::client::http_client_config cfg;
  cfg.set_timeout(timeout);
  cfg.set_validate_certificates(!config_.insecure_skip_tls_verify);
  const ClusterConfig c = config_;
  cfg.set_ssl_context_callback([c](boost::asio::ssl::context& ctx) {
    ctx.set_options(boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
    if (!c.ca_pem.empty()) ctx.add_certificate_authority(boost::asio::buffer(c.ca_pem));
    if (!c.client_cert_pem.empty()) {
      ctx.use_certificate_chain(boost::asio::buffer(c.client_cert_pem));
      ctx.use_private_key(boost::asio::buffer(c.client_key_pem), boost::asio::ssl::context::pem);
    }
  });
  return cfg;
}

http_request RestKubeClient::NewRequest(const web::http::method& method, const std::string& path) {
  http_request req(method);
  req.set_request_uri(path);
  req.headers().add("Accept", "application/json");
  req.headers().add("User-Agent",
                    config_.user_agent.empty() ? "modelmonitor/" MM_VERSION : config_.user_agent);
  std::string token = config_.token;
  if (!config_.token_file.empty()) {
    std::ifstream in(config_.token_file);
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  }
  if (!token.empty()) req.headers().add("Authorization", "Bearer " + token);
  return req;
}

ApiResponse RestKubeClient::Send(http_request request) {
  ApiResponse out;
  try {
    auto resp = client_->request(request).get();
    out.status = resp.status_code();
    out.body = ParseBody(resp.extract_utf8string(true).get());
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = std::string("kube-apiserver ") + config_.server + " unreachable: " + e.what();
  }
  return out;
}

ApiResponse RestKubeClient::Get(const std::string& path) {
  return Send(NewRequest(methods::GET, path));
}

ApiResponse RestKubeClient::Create(const std::string& path, const nlohmann::json& object) {
  auto req = NewRequest(methods::POST, path);
  req.set_body(object.dump(), "application/json");
  return Send(std::move(req));
}

ApiResponse RestKubeClient::Replace(const std::string& path, const nlohmann::json& object) {
  auto req = NewRequest(methods::PUT, path);
  req.set_body(object.dump(), "application/json");
  return Send(std::move(req));
}

ApiResponse RestKubeClient::Patch(const std::string& path, const nlohmann::json& patch,
                                  PatchType type) {
  std::string full = path;
  if (type == PatchType::kApply) {
    full += (path.find('?') == std::string::npos ? "?" : "&");
    full += "fieldManager=modelmonitor&force=true";
  }
  auto req = NewRequest(methods::PATCH, full);
  req.set_body(patch.dump(), ContentType(type));
  return Send(std::move(req));
}

ApiResponse RestKubeClient::Delete(const std::string& path) {
  return Send(NewRequest(methods::DEL, path));
}

void WatchControl::Cancel() {
  std::function<void()> cb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cb = on_cancel_;
  }
  if (cb) cb();
}

void WatchControl::SetOnCancel(std::function<void()> on_cancel) {
  bool run_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    on_cancel_ = on_cancel;
    run_now = cancelled_ && on_cancel_;
  }
  if (run_now) on_cancel();
}

ApiResponse RestKubeClient::Watch(const std::string& path,
                                  const std::function<bool(const nlohmann::json&)>& on_event,
                                  WatchControl* control) {
  ApiResponse out;
  // Cancelling the request's token closes its connection, which also ends a
  // body read that is waiting for the next event.
  pplx::cancellation_token_source cancel;
  if (control) control->SetOnCancel([cancel] { cancel.cancel(); });
  struct Unregister {
    WatchControl* control;
    ~Unregister() {
      if (control) control->SetOnCancel(nullptr);
    }
  } unregister{control};
  if (control && control->cancelled()) {
    out.error = "watch " + path + ": cancelled";
    return out;
  }
  try {
    auto resp = watch_client_->request(NewRequest(methods::GET, path), cancel.get_token()).get();
    out.status = resp.status_code();
    if (out.status != web::http::status_codes::OK) {
      out.body = ParseBody(resp.extract_utf8string(true).get());
      return out;
    }
    auto body = resp.body();
    while (true) {
      concurrency::streams::container_buffer<std::string> line;
      const size_t n = body.read_line(line).get();
      if (n == 0 && body.is_eof()) break;
      const std::string& text = line.collection();
      if (text.empty()) continue;
      if (text.size() > kMaxWatchLineBytes) {
        out.error = "watch " + path + ": event line of " + std::to_string(text.size()) +
                    " bytes exceeds the limit";
        break;
      }
      auto event = nlohmann::json::parse(text, nullptr, false);
      if (event.is_discarded() || !event.is_object()) {
        out.error = "watch " + path + ": undecodable event line";
        break;
      }
      if (!on_event(event)) break;
    }
  } catch (const std::exception& e) {
    out.error = std::string("watch ") + path + ": " + e.what();
  }
  if (control && control->cancelled() && out.error.empty())
    out.error = "watch " + path + ": cancelled";
  return out;
}

}  // namespace mm::kube
