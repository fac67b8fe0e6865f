#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/kube/kube_client.h"

namespace mm::testing {

// A scripted KubeClient for unit tests (never for integration tests: those use
// the real kube-apiserver). Each call is recorded; its answer is the next one
// queued for "METHOD path" (exact path with query), else 404.
class FakeKubeClient : public kube::KubeClient {
 public:
  struct Call {
    std::string method;
    std::string path;
    nlohmann::json body;
  };

  void Queue(const std::string& method, const std::string& path, int status,
             nlohmann::json body = nlohmann::json::object()) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[method + " " + path].push_back({status, std::move(body), ""});
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

  kube::ApiResponse Get(const std::string& path) override { return Answer("GET", path, nullptr); }
  kube::ApiResponse Create(const std::string& path, const nlohmann::json& o) override {
    return Answer("POST", path, o);
  }
  kube::ApiResponse Replace(const std::string& path, const nlohmann::json& o) override {
    return Answer("PUT", path, o);
  }
  kube::ApiResponse Patch(const std::string& path, const nlohmann::json& p,
                          kube::PatchType) override {
    return Answer("PATCH", path, p);
  }
  kube::ApiResponse Delete(const std::string& path) override {
    return Answer("DELETE", path, nullptr);
  }
  // Queued answers for "WATCH <path without query>" are events: one watch call
  // delivers all of them, in order. With none queued, the watch stays open
  // until cancelled, as a quiet server's would.
  kube::ApiResponse Watch(const std::string& path,
                          const std::function<bool(const nlohmann::json&)>& on_event,
                          kube::WatchControl* control) override {
    std::vector<nlohmann::json> events;
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back({"WATCH", path, nullptr});
      auto& q = answers_["WATCH " + path.substr(0, path.find('?'))];
      while (!q.empty()) {
        events.push_back(q.front().body);
        q.pop_front();
      }
    }
    for (const auto& e : events) {
      if (!on_event(e)) return {200, nullptr, ""};
    }
    if (!events.empty()) return {200, nullptr, ""};
    while (control && !control->cancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {200, nullptr, "cancelled"};
  }

 private:
  kube::ApiResponse Answer(const std::string& method, const std::string& path,
                           const nlohmann::json& body) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({method, path, body});
    auto& q = answers_[method + " " + path];
    if (q.empty()) return {404, {{"message", "no answer scripted for " + method + " " + path}}, ""};
    kube::ApiResponse r = q.front();
    q.pop_front();
    return r;
  }

  mutable std::mutex mu_;
  std::map<std::string, std::deque<kube::ApiResponse>> answers_;
  std::vector<Call> calls_;
};

}  // namespace mm::testing
