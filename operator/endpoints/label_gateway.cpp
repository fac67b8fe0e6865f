#include "operator/endpoints/label_gateway.h"

#include <algorithm>

#include "common/log.h"
#include "operator/endpoints/sidecar_endpoints.h"

namespace mm::op {
namespace {

using nlohmann::json;

constexpr char kExample[] = R"(send {"labels": [{"id": "<prediction id>", "label": 1}]})";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Result<CheckedBatch> CheckLabelBatch(std::string_view body, std::string_view content_type,
                                     const LabelBatchLimits& limits) {
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  CheckedBatch out;
  if (type == "application/x-ndjson" || type == "application/ndjson" ||
      type == "application/jsonl") {
    out.content_type = "application/x-ndjson";
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++out.labels;
      if (out.labels > limits.max_labels) {
        return Error{"body: more than " + std::to_string(limits.max_labels) +
                     " labels (NDJSON lines); split the upload"};
      }
      start = end + 1;
    }
    if (out.labels == 0)
      return Error{"body: no labels (one {\"id\": ..., \"label\": ...} per line)"};
    return out;
  }
  if (!type.empty() && type != "application/json") {
    return Error{"content-type \"" + std::string(content_type.substr(0, 64)) +
                 "\" is not supported (send application/json or application/x-ndjson)"};
  }
  out.content_type = "application/json";
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{std::string("body: not valid JSON; ") + kExample};
  if (!doc.is_object()) return Error{std::string("body: must be a JSON object; ") + kExample};
  const auto labels = doc.find("labels");
  if (labels == doc.end()) return Error{std::string("body.labels: missing; ") + kExample};
  if (!labels->is_array()) return Error{std::string("body.labels: must be an array; ") + kExample};
  if (labels->empty()) return Error{"body.labels: empty; send at least one label"};
  if (labels->size() > limits.max_labels) {
    return Error{"body.labels: " + std::to_string(labels->size()) + " labels, more than " +
                 std::to_string(limits.max_labels) + "; split the upload"};
  }
  out.labels = labels->size();
  return out;
}

void RegisterLabelGateway(ApiServer& server, kube::KubeClient& client, FanoutOptions fanout) {
  server.Handle(
      "POST", kLabelsPath,
      AuthPolicy::Allowed("create", "modelmonitor.io", "modelmonitors", "labels"),
      [&client, fanout](const ApiRequest& req) {
        const std::string& ns = req.params.at("ns");
        const std::string& name = req.params.at("name");
        auto batch = CheckLabelBatch(req.http.body, req.http.Header("content-type"));
        if (!batch) {
          const int code = batch.error().message.rfind("content-type", 0) == 0 ? 415 : 400;
          return http::Response::Error(code, batch.error().message);
        }
        SidecarFinder::Found found = SidecarFinder(client).Find(ns, name);
        if (found.problem == SidecarFinder::Problem::kNotFound) {
          return http::Response::Error(404, found.message);
        }
        if (found.problem != SidecarFinder::Problem::kNone) {
          return http::Response::Error(503, found.message);
        }
        if (found.sidecars.endpoints.empty()) {
          return http::Response::Error(
              503, "ModelMonitor " + ns + "/" + name +
                       " has no running pod with its sidecar: nothing was accepted; post the "
                       "batch again once its pods run");
        }
        const auto start = std::chrono::steady_clock::now();
        const auto results = FanOutLabels(found.sidecars.endpoints, req.http.body,
                                          batch->content_type, found.sidecars.label_token, fanout);
        json answer = SumLabelAnswers(results);
        answer["monitor"] = ns + "/" + name;
        size_t failed = 0;
        int bad_request = 0;
        std::string first_error;
        for (const auto& r : results) {
          if (r.acknowledged()) continue;
          ++failed;
          if (r.status == 400 || r.status == 413) bad_request = r.status;
          if (first_error.empty()) first_error = r.endpoint.pod + ": " + r.error;
        }
        log::Info("labels fanned out",
                  {{"monitor", ns + "/" + name},
                   {"user", req.caller.username},
                   {"labels", batch->labels},
                   {"sidecars", results.size()},
                   {"failed", failed},
                   {"joined", answer["joined"]},
                   {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count()}});
        if (failed == 0) return http::Response::Json(200, answer);
        if (bad_request != 0 && failed == results.size()) {
          // Every sidecar refused the batch itself (a limit the gateway does not check).
          answer["error"] = "the sidecars refused the batch: " + first_error;
          return http::Response::Json(bad_request, answer);
        }
        answer["error"] = std::to_string(failed) + " of " + std::to_string(results.size()) +
                          " sidecars did not acknowledge the batch (" + first_error +
                          "); post the same batch again: labels are idempotent, so those "
                          "already joined come back as duplicate";
        return http::Response::Json(502, answer);
      });
}

}  // namespace mm::op
