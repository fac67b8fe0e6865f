#include "operator/endpoints/label_fanout.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::vector<SidecarEndpoint> Pods(int n) {
  std::vector<SidecarEndpoint> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({"p" + std::to_string(i), "127.0.0." + std::to_string(i + 2), 9090, true});
  }
  return out;
}

FanoutOptions Fast() {
  FanoutOptions o;
  o.deadline = 2s;
  o.first_backoff = 1ms;
  o.max_backoff = 5ms;
  return o;
}

http::ClientResponse Answer(int status, const json& body) {
  return {status, "application/json", body.dump()};
}

TEST(LabelFanout, SendsTheBatchWithTheTokenAndSumsTheAnswers) {
  std::mutex mu;
  std::vector<http::ClientRequest> seen;
  FanoutOptions o = Fast();
  o.send = [&](const http::ClientRequest& r) -> Result<http::ClientResponse> {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(r);
    // Each pod holds one of the three predictions; label "x" is invalid everywhere.
    const int joined = r.host == "127.0.0.2" ? 2 : 1;
    return Answer(200, {{"received", 4},
                        {"joined", joined},
                        {"unknown", 3 - joined},
                        {"expired", 0},
                        {"duplicate", 0},
                        {"invalid", 1},
                        {"errors", {{{"index", 3}, {"reason", "labels[3].label: x"}}}}});
  };
  const auto results = FanOutLabels(Pods(2), "BODY", "application/json", "TOKEN", o);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& r : seen) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/labels");
    EXPECT_EQ(r.port, 9090);
    EXPECT_EQ(r.body, "BODY");
    EXPECT_EQ(r.headers[0].second, "Bearer TOKEN");
  }
  const json sum = SumLabelAnswers(results);
  EXPECT_EQ(sum["received"], 4);
  EXPECT_EQ(sum["joined"], 3);
  EXPECT_EQ(sum["invalid"], 1);
  EXPECT_EQ(sum["unknown"], 0);
  EXPECT_EQ(sum["complete"], true);
  EXPECT_EQ(sum["errors"][0]["index"], 3);
  EXPECT_EQ(sum["pods"].size(), 2u);
}

TEST(LabelFanout, ASidecarThatRestartsIsRetriedUntilItAcknowledges) {
  std::atomic<int> calls{0};
  FanoutOptions o = Fast();
  o.send = [&](const http::ClientRequest&) -> Result<http::ClientResponse> {
    const int n = ++calls;
    if (n == 1) return Error{"connect 127.0.0.2:9090: Connection refused"};
    if (n == 2) return Answer(503, {{"error", "starting"}});
    return Answer(200, {{"received", 1}, {"joined", 1}});
  };
  const auto results = FanOutLabels(Pods(1), "B", "application/json", "T", o);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].acknowledged()) << results[0].error;
  EXPECT_EQ(results[0].attempts, 3);
  EXPECT_EQ(SumLabelAnswers(results)["joined"], 1);
}

TEST(LabelFanout, GivesUpAtTheDeadlineAndSaysSo) {
  FanoutOptions o = Fast();
  o.deadline = 50ms;
  o.send = [](const http::ClientRequest&) -> Result<http::ClientResponse> {
    return Error{"connect 127.0.0.3:9090: Connection refused"};
  };
  const auto results = FanOutLabels(Pods(1), "B", "application/json", "T", o);
  ASSERT_FALSE(results[0].acknowledged());
  EXPECT_GT(results[0].attempts, 1);
  EXPECT_NE(results[0].error.find("Connection refused"), std::string::npos);
  EXPECT_NE(results[0].error.find("gave up after"), std::string::npos);
  const json sum = SumLabelAnswers(results);
  EXPECT_EQ(sum["complete"], false);
  EXPECT_EQ(sum["pods"][0]["pod"], "p0");
}

TEST(LabelFanout, ClientErrorsAreNotRetried) {
  std::atomic<int> calls{0};
  FanoutOptions o = Fast();
  o.send = [&](const http::ClientRequest&) -> Result<http::ClientResponse> {
    ++calls;
    return Answer(403, {{"error", "the bearer token is not this monitor's label token"}});
  };
  const auto results = FanOutLabels(Pods(1), "B", "application/json", "T", o);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(results[0].status, 403);
  EXPECT_NE(results[0].error.find("not this monitor's label token"), std::string::npos);
}

TEST(LabelFanout, NoSidecarsIsNotComplete) { EXPECT_EQ(SumLabelAnswers({})["complete"], false); }

}  // namespace
}  // namespace mm::op
