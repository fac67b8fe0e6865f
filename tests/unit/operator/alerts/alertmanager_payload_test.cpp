#include "operator/alerts/alertmanager_payload.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace mm::op {
namespace {

// Alertmanager 0.25's webhook payload, as its notify/webhook package writes it.
constexpr char kFiring[] = R"({
  "receiver": "modelmonitor", "status": "firing",
  "alerts": [{
    "status": "firing",
    "labels": {"alertname": "slow", "namespace": "prod", "modelmonitor": "fraud"},
    "annotations": {"summary": "p99 above 250ms", "value": "0.31"},
    "startsAt": "2026-11-30T03:00:03.739266876+01:00",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus:9090/graph", "fingerprint": "1a30ba71cca2921f"
  }],
  "groupLabels": {"alertname": "slow"}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://alertmanager:9093", "version": "4",
  "groupKey": "{}:{alertname=\"slow\"}", "truncatedAlerts": 0
})";

std::string ErrorOf(std::string_view body) {
  auto r = ParseAlertmanagerPayload(body);
  return r.ok() ? "" : r.error().message;
}

TEST(AlertmanagerPayload, ReadsAlertmanagersWebhookPayload) {
  auto n = ParseAlertmanagerPayload(kFiring);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->receiver, "modelmonitor");
  ASSERT_EQ(n->alerts.size(), 1u);
  const AlertmanagerAlert& a = n->alerts[0];
  EXPECT_TRUE(a.firing);
  EXPECT_EQ(FormatRfc3339(a.starts_at), "2026-11-30T02:00:03Z");
  EXPECT_FALSE(a.ends_at) << "Go's zero time is no end";
  EXPECT_EQ(a.fingerprint, "1a30ba71cca2921f");
  auto t = TargetOf(a);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->ns, "prod");
  EXPECT_EQ(t->monitor, "fraud");
  EXPECT_EQ(t->alert, "slow");
  const auto e = ToExternalAlert(a, t->alert, a.starts_at + std::chrono::seconds(5));
  EXPECT_TRUE(e.firing);
  EXPECT_EQ(e.since, "2026-11-30T02:00:03Z");
  EXPECT_EQ(e.received, "2026-11-30T02:00:08Z");
  ASSERT_TRUE(e.value);
  EXPECT_DOUBLE_EQ(*e.value, 0.31);
  EXPECT_EQ(e.message, "p99 above 250ms");
}

TEST(AlertmanagerPayload, ProblemsNameTheField) {
  EXPECT_NE(ErrorOf("{").find("body: not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("[]").find("body: must be a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"version":"3","alerts":[]})").find("body.version: \"3\" is not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"version":"4"})").find("body.alerts: missing"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":{}})").find("body.alerts: must be an array"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[{"startsAt":"2026-11-30T01:00:00Z"}]})")
                .find("body.alerts[0].status: missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[{"status":"pending","startsAt":"2026-11-30T01:00:00Z"}]})")
                .find("body.alerts[0].status: \"pending\" is not one of"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[{"status":"firing"}]})").find("body.alerts[0].startsAt: missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[{"status":"firing","startsAt":"yesterday"}]})")
                .find("body.alerts[0].startsAt: \"yesterday\" is not an RFC 3339 time"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[{"status":"firing","startsAt":"2026-11-30T01:00:00Z",
                                   "labels":{"namespace":1}}]})")
                .find("body.alerts[0].labels.namespace: must be a string"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"alerts":[1,2]})").find("body.alerts[0]: must be an object"),
            std::string::npos);
  auto many = ParseAlertmanagerPayload(
      R"({"alerts":[{"status":"firing","startsAt":"2026-11-30T01:00:00Z"},
                    {"status":"firing","startsAt":"2026-11-30T01:00:00Z"}]})",
      1);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message.find("more than 1"), std::string::npos);
}

TEST(AlertmanagerPayload, TargetNeedsMonitorNamespaceAndAlert) {
  AlertmanagerAlert a;
  a.labels = {{"alertname", "slow"}, {"namespace", "prod"}};
  EXPECT_NE(TargetOf(a).error().message.find("no modelmonitor label"), std::string::npos);
  a.labels = {{"alertname", "slow"}, {"modelmonitor", "fraud"}};
  EXPECT_NE(TargetOf(a).error().message.find("no namespace label"), std::string::npos);
  a.labels = {{"namespace", "prod"}, {"modelmonitor", "fraud"}};
  EXPECT_NE(TargetOf(a).error().message.find("no modelmonitor_alert or alertname"),
            std::string::npos);
  a.labels = {{"namespace", "prod"},
              {"modelmonitor", "fraud"},
              {"alertname", "FraudModelSlow"},
              {"modelmonitor_alert", "slow"}};
  EXPECT_EQ(TargetOf(a)->alert, "slow") << "modelmonitor_alert wins over alertname";
}

TEST(AlertmanagerPayload, ValueAnnotationMustBeAFiniteNumber) {
  AlertmanagerAlert a;
  a.starts_at = SystemTime{} + std::chrono::hours(1);
  for (const char* bad : {"", "high", "0.3x", "NaN", "inf", "1e999"}) {
    a.annotations = {{"value", bad}};
    EXPECT_FALSE(ToExternalAlert(a, "x", a.starts_at).value) << bad;
  }
  a.annotations = {{"value", "1.5e-3"}};
  EXPECT_DOUBLE_EQ(*ToExternalAlert(a, "x", a.starts_at).value, 1.5e-3);
}

api::ExternalAlert Report(const std::string& name, bool firing, const std::string& since) {
  api::ExternalAlert a;
  a.name = name;
  a.firing = firing;
  a.since = since;
  a.received = since;
  return a;
}

TEST(MergeExternalAlert, OneEntryPerAlertNewestWins) {
  const std::vector<std::string> known = {"slow", "errors"};
  auto s = MergeExternalAlert({}, Report("slow", true, "2026-11-30T01:00:00Z"), known);
  s = MergeExternalAlert(s, Report("errors", true, "2026-11-30T01:01:00Z"), known);
  ASSERT_EQ(s.size(), 2u);
  s = MergeExternalAlert(s, Report("slow", false, "2026-11-30T01:00:00Z"), known);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_FALSE(s[0].firing);
  // A Firing report of the episode already resolved is a late retry: no change.
  s = MergeExternalAlert(s, Report("slow", true, "2026-11-30T01:00:00Z"), known);
  EXPECT_FALSE(s[0].firing);
  // A new episode fires again.
  s = MergeExternalAlert(s, Report("slow", true, "2026-11-30T02:00:00Z"), known);
  EXPECT_TRUE(s[0].firing);
  EXPECT_EQ(s[0].since, "2026-11-30T02:00:00Z");
  // An alert removed from spec.alerts loses its entry.
  s = MergeExternalAlert(s, Report("slow", true, "2026-11-30T02:00:00Z"), {"slow"});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "slow");
}

TEST(AlertmanagerPayload, SeedCorpusCoversWhatTheReceiverSees) {
  // The fuzz seed the docs' example comes from parses (the corpus is not just noise).
  std::ifstream in(std::string(MM_SOURCE_DIR) +
                   "/tests/fuzz/corpus/alertmanager_payload/firing_v4");
  ASSERT_TRUE(in) << "seed corpus missing";
  std::stringstream body;
  body << in.rdbuf();
  auto n = ParseAlertmanagerPayload(body.str());
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_TRUE(TargetOf(n->alerts.at(0)).ok());
}

}  // namespace
}  // namespace mm::op
