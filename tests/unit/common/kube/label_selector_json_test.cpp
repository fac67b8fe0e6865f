#include <gtest/gtest.h>

#include "common/kube/label_selector.h"

namespace mm::kube {
namespace {

using nlohmann::json;

const json kLabels = {{"app", "fraud"}, {"tier", "model"}, {"track", "canary"}};

TEST(LabelSelectorJson, MatchLabelsNeedsEveryPair) {
  EXPECT_TRUE(Matches({{"matchLabels", {{"app", "fraud"}}}}, kLabels));
  EXPECT_TRUE(Matches({{"matchLabels", {{"app", "fraud"}, {"tier", "model"}}}}, kLabels));
  EXPECT_FALSE(Matches({{"matchLabels", {{"app", "fraud"}, {"tier", "web"}}}}, kLabels));
  EXPECT_FALSE(Matches({{"matchLabels", {{"missing", "x"}}}}, kLabels));
}

TEST(LabelSelectorJson, MatchExpressionsOperators) {
  auto expr = [](const std::string& key, const std::string& op, json values = nullptr) {
    json e = {{"key", key}, {"operator", op}};
    if (!values.is_null()) e["values"] = values;
    return json{{"matchExpressions", json::array({e})}};
  };
  EXPECT_TRUE(Matches(expr("track", "In", {"canary", "stable"}), kLabels));
  EXPECT_FALSE(Matches(expr("track", "In", {"stable"}), kLabels));
  EXPECT_FALSE(Matches(expr("absent", "In", {"x"}), kLabels));
  EXPECT_TRUE(Matches(expr("track", "NotIn", {"stable"}), kLabels));
  EXPECT_FALSE(Matches(expr("track", "NotIn", {"canary"}), kLabels));
  EXPECT_TRUE(Matches(expr("absent", "NotIn", {"x"}), kLabels));  // as in Kubernetes
  EXPECT_TRUE(Matches(expr("app", "Exists"), kLabels));
  EXPECT_FALSE(Matches(expr("absent", "Exists"), kLabels));
  EXPECT_TRUE(Matches(expr("absent", "DoesNotExist"), kLabels));
  EXPECT_FALSE(Matches(expr("app", "DoesNotExist"), kLabels));
}

TEST(LabelSelectorJson, LabelsAndExpressionsCombineWithAnd) {
  const json s = {{"matchLabels", {{"app", "fraud"}}},
                  {"matchExpressions",
                   json::array({{{"key", "track"}, {"operator", "In"}, {"values", {"stable"}}}})}};
  EXPECT_FALSE(Matches(s, kLabels));
  EXPECT_TRUE(Matches(s, {{"app", "fraud"}, {"track", "stable"}}));
}

TEST(LabelSelectorJson, EmptyMatchesAllNullAndInvalidMatchNothing) {
  EXPECT_TRUE(Matches(json::object(), kLabels));
  EXPECT_TRUE(Matches(json::object(), nullptr));
  EXPECT_FALSE(Matches(nullptr, kLabels));
  EXPECT_FALSE(Matches({{"matchExpressions", json::array({{{"key", "app"}, {"operator", "Is"}}})}},
                       kLabels));
}

TEST(LabelSelectorJson, ValidationNamesTheField) {
  auto bad_op = ValidateLabelSelector(
      {{"matchExpressions", json::array({{{"key", "a"}, {"operator", "Exists"}},
                                         {{"key", "b"}, {"operator", "Contains"}}})}});
  ASSERT_FALSE(bad_op.ok());
  EXPECT_EQ(bad_op.error().message,
            "selector.matchExpressions[1].operator: \"Contains\" is not one of In, NotIn, "
            "Exists, DoesNotExist");
  auto in_without_values = ValidateLabelSelector(
      {{"matchExpressions", json::array({{{"key", "a"}, {"operator", "In"}}})}});
  ASSERT_FALSE(in_without_values.ok());
  EXPECT_NE(in_without_values.error().message.find("must be non-empty"), std::string::npos);
  auto exists_with_values = ValidateLabelSelector(
      {{"matchExpressions",
        json::array({{{"key", "a"}, {"operator", "Exists"}, {"values", {"x"}}}})}});
  EXPECT_FALSE(exists_with_values.ok());
  EXPECT_FALSE(ValidateLabelSelector({{"matchLabels", {{"a", 1}}}}).ok());
  auto unknown = ValidateLabelSelector({{"matchLabel", {{"a", "b"}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown field"), std::string::npos);
  EXPECT_TRUE(ValidateLabelSelector({{"matchLabels", {{"a", "b"}}}}).ok());
}

}  // namespace
}  // namespace mm::kube
