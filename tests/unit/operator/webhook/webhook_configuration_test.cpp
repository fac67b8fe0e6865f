#include "operator/webhook/webhook_configuration.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "common/kube/label_selector.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

TEST(WebhookConfiguration, IsSafeByDefault) {
  WebhookConfigurationOptions o;
  o.ca_bundle_pem = "-----BEGIN CERTIFICATE-----\n...";
  const json c = BuildWebhookConfiguration(o);
  EXPECT_EQ(c["apiVersion"], "admissionregistration.k8s.io/v1");
  EXPECT_EQ(c["kind"], "MutatingWebhookConfiguration");
  ASSERT_EQ(c["webhooks"].size(), 1u);
  const json& w = c["webhooks"][0];
  EXPECT_EQ(w["failurePolicy"], "Ignore");
  EXPECT_EQ(w["sideEffects"], "None");
  EXPECT_EQ(w["timeoutSeconds"], 5);
  EXPECT_EQ(w["reinvocationPolicy"], "IfNeeded");
  EXPECT_EQ(w["admissionReviewVersions"], json::array({"v1"}));
  EXPECT_EQ(w["rules"][0]["operations"], json::array({"CREATE"}));
  EXPECT_EQ(w["rules"][0]["resources"], json::array({"pods"}));
  EXPECT_EQ(w["clientConfig"]["service"]["name"], "modelmonitor-webhook");
  EXPECT_EQ(w["clientConfig"]["service"]["path"], "/mutate-v1-pod");
  EXPECT_EQ(Base64Decode(w["clientConfig"]["caBundle"].get<std::string>()).value(),
            o.ca_bundle_pem);
}

TEST(WebhookConfiguration, SelectorsExcludeKubeSystemDisabledNamespacesAndOptedOutPods) {
  const json w = BuildWebhookConfiguration({})["webhooks"][0];
  const json& ns = w["namespaceSelector"];
  ASSERT_TRUE(kube::ValidateLabelSelector(ns).ok());
  EXPECT_FALSE(kube::Matches(ns, {{"kubernetes.io/metadata.name", "kube-system"}}));
  EXPECT_FALSE(kube::Matches(
      ns, {{"kubernetes.io/metadata.name", "ml"}, {"modelmonitor.io/injection", "disabled"}}));
  EXPECT_TRUE(kube::Matches(ns, {{"kubernetes.io/metadata.name", "ml"}}));
  const json& pods = w["objectSelector"];
  EXPECT_FALSE(kube::Matches(pods, {{"modelmonitor.io/inject", "false"}}));
  EXPECT_TRUE(kube::Matches(pods, {{"app", "fraud"}}));
}

TEST(WebhookConfiguration, UrlReplacesTheService) {
  WebhookConfigurationOptions o;
  o.url = "https://127.0.0.1:8443/mutate-v1-pod";
  const json cc = BuildWebhookConfiguration(o)["webhooks"][0]["clientConfig"];
  EXPECT_EQ(cc["url"], o.url);
  EXPECT_FALSE(cc.contains("service"));
  EXPECT_FALSE(cc.contains("caBundle"));
}

}  // namespace
}  // namespace mm::webhook
