#include "operator/prometheus/prometheus_objects.h"

#include <gtest/gtest.h>

#include "tests/support/fake_kube_client.h"

namespace mm::op {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kDiscovery = "/apis/monitoring.coreos.com/v1";
const std::string kPodMonitors = "/apis/monitoring.coreos.com/v1/namespaces/prod/podmonitors";
const std::string kRules = "/apis/monitoring.coreos.com/v1/namespaces/prod/prometheusrules";
const std::string kPodMonitor = kPodMonitors + "/fraud-modelmonitor";
const std::string kRule = kRules + "/fraud-modelmonitor";

json Served() {
  return {{"kind", "APIResourceList"},
          {"groupVersion", "monitoring.coreos.com/v1"},
          {"resources",
           {{{"name", "podmonitors"}, {"namespaced", true}},
            {{"name", "prometheusrules"}, {"namespaced", true}},
            {{"name", "servicemonitors"}, {"namespaced", true}}}}};
}

api::ModelMonitor Fraud(double threshold = 0.25) {
  json object = {{"metadata", {{"name", "fraud"}, {"namespace", "prod"}, {"uid", "u-1"}}},
                 {"spec",
                  {{"selector", {{"matchLabels", {{"app", "fraud"}}}}},
                   {"target", {{"name", "fraud"}}},
                   {"alerts",
                    {{{"name", "slow"},
                      {"metric", "latency_p99_seconds"},
                      {"op", ">"},
                      {"threshold", threshold}}}}}}};
  return api::ParseModelMonitor(object).value();
}

// What the API server answers with for `desired` once stored: defaults filled in,
// resourceVersion and the hash annotation ApplyObject set.
json Stored(const json& written, const std::string& rv = "5") {
  json s = written;
  s["metadata"]["resourceVersion"] = rv;
  s["metadata"]["uid"] = "obj-uid";
  if (s["kind"] == "PodMonitor") {
    s["spec"]["podMetricsEndpoints"][0]["relabelings"][0]["separator"] = ";";  // a default
  }
  return s;
}

class PrometheusObjectsTest : public ::testing::Test {
 protected:
  PrometheusObjects::Options Opts() {
    PrometheusObjects::Options o;
    o.now = [this] { return now_; };
    return o;
  }
  std::vector<testing::FakeKubeClient::Call> WritesOf(const testing::FakeKubeClient& f) {
    std::vector<testing::FakeKubeClient::Call> out;
    for (const auto& c : f.calls()) {
      if (c.method != "GET") out.push_back(c);
    }
    return out;
  }
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(PrometheusObjectsTest, CreatesBothWhenMissingThenWritesNothingWhileUnchanged) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kDiscovery, 200, Served());
  fake.Queue("POST", kPodMonitors, 201);
  fake.Queue("POST", kRules, 201);
  PrometheusObjects keeper(Opts());
  auto r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kApplied) << r.message;
  EXPECT_EQ(r.rules, 1);
  auto writes = WritesOf(fake);
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].path, kPodMonitors);
  EXPECT_EQ(writes[0].body["kind"], "PodMonitor");
  EXPECT_FALSE(writes[0]
                   .body["metadata"]["annotations"]["modelmonitor.io/applied-hash"]
                   .get<std::string>()
                   .empty());
  EXPECT_EQ(writes[1].path, kRules);
  EXPECT_EQ(writes[1].body["spec"]["groups"][0]["rules"][0]["labels"]["modelmonitor_alert"],
            "slow");

  // Within the recheck period, the same desired objects cost no call at all.
  const size_t calls = fake.calls().size();
  r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kUnchanged);
  EXPECT_EQ(fake.calls().size(), calls);

  // After it, they are read and, being as desired (with the server's defaults), not written.
  now_ += 301s;
  fake.Queue("GET", kDiscovery, 200, Served());
  fake.Queue("GET", kPodMonitor, 200, Stored(writes[0].body));
  fake.Queue("GET", kRule, 200, Stored(writes[1].body));
  r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kUnchanged) << r.message;
  EXPECT_EQ(WritesOf(fake).size(), 2u);
}

TEST_F(PrometheusObjectsTest, ReplacesWithTheResourceVersionReadWhenTheAlertsChange) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kDiscovery, 200, Served());
  fake.Queue("POST", kPodMonitors, 201);
  fake.Queue("POST", kRules, 201);
  PrometheusObjects keeper(Opts());
  ASSERT_EQ(keeper.Ensure(fake, Fraud()).outcome, PrometheusObjects::Outcome::kApplied);
  const auto first = WritesOf(fake);

  json rule = Stored(first[1].body, "7");
  rule["metadata"]["labels"]["team"] = "payments";  // someone else's label: kept
  fake.Queue("GET", kPodMonitor, 200, Stored(first[0].body));
  fake.Queue("GET", kRule, 200, rule);
  fake.Queue("PUT", kRule, 409);  // written meanwhile: read again
  rule["metadata"]["resourceVersion"] = "8";
  fake.Queue("GET", kRule, 200, rule);
  fake.Queue("PUT", kRule, 200);
  auto r = keeper.Ensure(fake, Fraud(0.5));
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kApplied) << r.message;
  const auto writes = WritesOf(fake);
  ASSERT_EQ(writes.size(), 4u);  // the PodMonitor did not change
  EXPECT_EQ(writes[3].method, "PUT");
  EXPECT_EQ(writes[3].body["metadata"]["resourceVersion"], "8");
  EXPECT_EQ(writes[3].body["metadata"]["labels"]["team"], "payments");
  EXPECT_NE(
      writes[3].body["spec"]["groups"][0]["rules"][0]["expr"].get<std::string>().find("> 0.5"),
      std::string::npos);
}

TEST_F(PrometheusObjectsTest, AHandEditedSpecIsPutBack) {
  testing::FakeKubeClient fake;
  const auto objects = BuildMonitoringObjects(Fraud(), {});
  json want = objects.pod_monitor;
  fake.Queue("POST", kPodMonitors, 201);
  ASSERT_TRUE(ApplyObject(fake, "podmonitors", want).value());
  json edited = Stored(WritesOf(fake)[0].body);
  edited["spec"]["podMetricsEndpoints"][0]["path"] = "/other";
  fake.Queue("GET", kPodMonitor, 200, edited);
  fake.Queue("PUT", kPodMonitor, 200);
  ASSERT_TRUE(ApplyObject(fake, "podmonitors", want).value());
  EXPECT_EQ(WritesOf(fake).back().body["spec"]["podMetricsEndpoints"][0]["path"], "/metrics");
}

TEST_F(PrometheusObjectsTest, WithoutTheCrdsNothingIsWrittenAndTheUserIsToldOnce) {
  testing::FakeKubeClient fake;  // discovery: 404
  PrometheusObjects keeper(Opts());
  auto r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kNotServed);
  EXPECT_TRUE(r.first_report);
  EXPECT_NE(r.message.find("install the Prometheus Operator's CRDs"), std::string::npos);
  r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kNotServed);
  EXPECT_FALSE(r.first_report);
  EXPECT_EQ(fake.calls().size(), 1u);  // discovery is cached
  EXPECT_TRUE(WritesOf(fake).empty());

  // A group without prometheusrules is not enough either.
  now_ += 61s;
  json partial = Served();
  partial["resources"].erase(1);
  fake.Queue("GET", kDiscovery, 200, partial);
  EXPECT_EQ(keeper.Ensure(fake, Fraud()).outcome, PrometheusObjects::Outcome::kNotServed);

  // The CRDs installed later are found at the next discovery.
  now_ += 61s;
  fake.Queue("GET", kDiscovery, 200, Served());
  fake.Queue("POST", kPodMonitors, 201);
  fake.Queue("POST", kRules, 201);
  EXPECT_EQ(keeper.Ensure(fake, Fraud()).outcome, PrometheusObjects::Outcome::kApplied);
}

TEST_F(PrometheusObjectsTest, AFailedWriteNamesTheObjectAndIsRetriedNextTime) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kDiscovery, 200, Served());
  fake.Queue("POST", kPodMonitors, 403,
             {{"kind", "Status"}, {"message", "podmonitors is forbidden"}});
  PrometheusObjects keeper(Opts());
  auto r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kFailed);
  EXPECT_NE(r.message.find("cannot create PodMonitor prod/fraud-modelmonitor (HTTP 403)"),
            std::string::npos)
      << r.message;
  fake.Queue("POST", kPodMonitors, 201);
  fake.Queue("POST", kRules, 201);
  EXPECT_EQ(keeper.Ensure(fake, Fraud()).outcome, PrometheusObjects::Outcome::kApplied);
}

TEST_F(PrometheusObjectsTest, ADiscoveryErrorIsAFailureNotAMissingCrd) {
  testing::FakeKubeClient fake;
  fake.Queue("GET", kDiscovery, 503, {{"message", "etcd is down"}});
  PrometheusObjects keeper(Opts());
  auto r = keeper.Ensure(fake, Fraud());
  EXPECT_EQ(r.outcome, PrometheusObjects::Outcome::kFailed);
  EXPECT_NE(r.message.find("HTTP 503"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace mm::op
