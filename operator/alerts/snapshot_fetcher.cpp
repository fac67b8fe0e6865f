#include "operator/alerts/snapshot_fetcher.h"

#include "common/http/client.h"

namespace mm::op {

Result<nlohmann::json> HttpSnapshotFetcher::Fetch(const SidecarEndpoint& e, int64_t since_unix,
                                                  const std::string& bearer_token) {
  http::ClientRequest req;
  req.host = e.ip;
  req.port = e.admin_port;
  req.target = "/v1/snapshot?since=" + std::to_string(since_unix);
  req.headers = {{"authorization", "Bearer " + bearer_token}};
  req.timeout = timeout_;
  req.max_response_bytes = max_body_bytes_;
  const std::string where =
      "GET http://" + e.ip + ":" + std::to_string(e.admin_port) + "/v1/snapshot";
  auto res = http::Send(req);
  if (!res) return Error{where + ": " + res.error().message};
  if (res->status != 200) {
    return Error{where + ": HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300)};
  }
  auto j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{where + ": the body is not JSON"};
  return j;
}

}  // namespace mm::op
