#include "operator/endpoints/label_fanout.h"

#include <algorithm>
#include <random>
#include <thread>

namespace mm::op {
namespace {

using nlohmann::json;

bool Retryable(int status) { return status == 0 || status == 429 || status >= 500; }

int64_t Count(const json& answer, const char* key) {
  if (!answer.is_object()) return 0;
  const auto it = answer.find(key);
  return it != answer.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

SidecarResult PostToOne(const SidecarEndpoint& e, const std::string& body,
                        const std::string& content_type, const std::string& token,
                        const FanoutOptions& o) {
  SidecarResult r;
  r.endpoint = e;
  const auto deadline = std::chrono::steady_clock::now() + o.deadline;
  std::mt19937 rng(std::random_device{}());
  auto backoff = o.first_backoff;
  http::ClientRequest req;
  req.method = "POST";
  req.host = e.ip;
  req.port = e.admin_port;
  req.target = "/v1/labels";
  req.content_type = content_type;
  req.headers = {{"Authorization", "Bearer " + token}};
  req.body = body;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    req.timeout = std::max(std::chrono::milliseconds(1), std::min(o.per_attempt_timeout, left));
    ++r.attempts;
    auto answer = o.send ? o.send(req) : http::Send(req);
    if (answer) {
      r.status = answer->status;
      if (r.status >= 200 && r.status < 300) {
        r.answer = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
        if (r.answer.is_discarded() || !r.answer.is_object()) {
          r.answer = nullptr;
          r.error = "the sidecar's answer is not a JSON object";
        } else {
          r.error.clear();
        }
        return r;
      }
      json err = json::parse(answer->body, nullptr, false);
      r.error = "HTTP " + std::to_string(r.status) + ": " +
                (err.is_object() && err.contains("error") && err["error"].is_string()
                     ? err["error"].get<std::string>()
                     : answer->body.substr(0, 200));
    } else {
      r.status = 0;
      r.error = answer.error().message;
    }
    if (!Retryable(r.status)) return r;
    // Full jitter: a random wait up to the current backoff, so retries of many
    // gateway requests do not arrive in step.
    auto wait = std::chrono::milliseconds(
        std::uniform_int_distribution<int64_t>(backoff.count() / 2, backoff.count())(rng));
    if (std::chrono::steady_clock::now() + wait >= deadline) {
      r.error += " (gave up after " + std::to_string(r.attempts) + " attempts in " +
                 std::to_string(o.deadline.count()) + " ms)";
      return r;
    }
    std::this_thread::sleep_for(wait);
    backoff = std::min(o.max_backoff, backoff * 2);
  }
}

}  // namespace

std::vector<SidecarResult> FanOutLabels(const std::vector<SidecarEndpoint>& endpoints,
                                        const std::string& body, const std::string& content_type,
                                        const std::string& label_token, const FanoutOptions& o) {
  std::vector<SidecarResult> results(endpoints.size());
  const size_t width = std::max<size_t>(1, o.parallelism);
  for (size_t start = 0; start < endpoints.size(); start += width) {
    std::vector<std::thread> threads;
    for (size_t i = start; i < std::min(endpoints.size(), start + width); ++i) {
      threads.emplace_back(
          [&, i] { results[i] = PostToOne(endpoints[i], body, content_type, label_token, o); });
    }
    for (auto& t : threads) t.join();
  }
  return results;
}

json SumLabelAnswers(const std::vector<SidecarResult>& results) {
  int64_t received = -1, invalid = 0, joined = 0, duplicate = 0, expired = 0;
  json errors = json::array();
  json pods = json::array();
  bool complete = !results.empty();
  for (const auto& r : results) {
    json pod = {{"pod", r.endpoint.pod},
                {"ip", r.endpoint.ip},
                {"ready", r.endpoint.ready},
                {"attempts", r.attempts},
                {"status", r.status}};
    if (r.acknowledged()) {
      for (const char* k : {"joined", "duplicate", "expired", "unknown"}) {
        pod[k] = Count(r.answer, k);
      }
      joined += Count(r.answer, "joined");
      duplicate += Count(r.answer, "duplicate");
      expired += Count(r.answer, "expired");
      if (received < 0) {  // the same batch everywhere: these are the same on every pod
        received = Count(r.answer, "received");
        invalid = Count(r.answer, "invalid");
        if (r.answer.contains("errors") && r.answer["errors"].is_array()) {
          errors = r.answer["errors"];
        }
      }
    } else {
      complete = false;
      pod["error"] = r.error;
    }
    pods.push_back(std::move(pod));
  }
  if (received < 0) received = 0;
  const int64_t unknown = std::max<int64_t>(0, received - joined - duplicate - expired - invalid);
  return {{"received", received}, {"joined", joined},     {"duplicate", duplicate},
          {"expired", expired},   {"unknown", unknown},   {"invalid", invalid},
          {"errors", errors},     {"complete", complete}, {"pods", pods}};
}

}  // namespace mm::op
