#include "common/kube/label_selector.h"

#include <gtest/gtest.h>

namespace mm::kube {
namespace {

using nlohmann::json;

LabelSelector Parse(const json& j) {
  auto s = LabelSelector::FromJson(j);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? s.value() : LabelSelector{};
}

TEST(LabelSelectorTest, MatchLabelsNeedEveryPair) {
  auto s = Parse({{"matchLabels", {{"app", "fraud"}, {"tier", "model"}}}});
  EXPECT_TRUE(s.Matches(json{{"app", "fraud"}, {"tier", "model"}, {"extra", "x"}}));
  EXPECT_FALSE(s.Matches(json{{"app", "fraud"}}));
  EXPECT_FALSE(s.Matches(json{{"app", "other"}, {"tier", "model"}}));
  EXPECT_EQ(s.ToQuery(), "app=fraud,tier=model");
}

TEST(LabelSelectorTest, InAndNotIn) {
  auto s = Parse({{"matchExpressions",
                   {{{"key", "env"}, {"operator", "In"}, {"values", {"prod", "canary"}}},
                    {{"key", "zone"}, {"operator", "NotIn"}, {"values", {"eu"}}}}}});
  EXPECT_TRUE(s.Matches(json{{"env", "prod"}, {"zone", "us"}}));
  EXPECT_TRUE(s.Matches(json{{"env", "canary"}}));  // NotIn matches a missing key
  EXPECT_FALSE(s.Matches(json{{"env", "dev"}}));
  EXPECT_FALSE(s.Matches(json{{"env", "prod"}, {"zone", "eu"}}));
  EXPECT_FALSE(s.Matches(json::object()));  // In needs the key
  EXPECT_EQ(s.ToQuery(), "env in (canary,prod),zone notin (eu)");
}

TEST(LabelSelectorTest, ExistsAndDoesNotExist) {
  auto s = Parse({{"matchExpressions",
                   {{{"key", "model"}, {"operator", "Exists"}},
                    {{"key", "legacy"}, {"operator", "DoesNotExist"}}}}});
  EXPECT_TRUE(s.Matches(json{{"model", ""}}));
  EXPECT_FALSE(s.Matches(json{{"model", "a"}, {"legacy", "true"}}));
  EXPECT_FALSE(s.Matches(json{{"other", "a"}}));
  EXPECT_EQ(s.ToQuery(), "model,!legacy");
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverythingAsTheApiDoes) {
  auto s = Parse(json::object());
  EXPECT_TRUE(s.MatchesEverything());
  EXPECT_TRUE(s.Matches(json::object()));
  EXPECT_TRUE(s.Matches(json(nullptr)));
  EXPECT_EQ(s.ToQuery(), "");
}

TEST(LabelSelectorTest, MatchLabelsAndExpressionsAreAnded) {
  auto s = Parse({{"matchLabels", {{"app", "m"}}},
                  {"matchExpressions", {{{"key", "v"}, {"operator", "In"}, {"values", {"2"}}}}}});
  EXPECT_TRUE(s.Matches(json{{"app", "m"}, {"v", "2"}}));
  EXPECT_FALSE(s.Matches(json{{"app", "m"}, {"v", "1"}}));
}

TEST(LabelSelectorTest, ErrorsNameTheFieldAndTheFix) {
  auto bad_op = LabelSelector::FromJson(
      {{"matchExpressions", {{{"key", "a"}, {"operator", "Equals"}, {"values", {"x"}}}}}});
  ASSERT_FALSE(bad_op.ok());
  EXPECT_EQ(bad_op.error().message,
            "selector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, "
            "DoesNotExist");
  auto no_values =
      LabelSelector::FromJson({{"matchExpressions", {{{"key", "a"}, {"operator", "In"}}}}});
  ASSERT_FALSE(no_values.ok());
  EXPECT_NE(no_values.error().message.find("must be non-empty for operator In"), std::string::npos);
  auto values_on_exists = LabelSelector::FromJson(
      {{"matchExpressions", {{{"key", "a"}, {"operator", "Exists"}, {"values", {"x"}}}}}});
  EXPECT_FALSE(values_on_exists.ok());
  EXPECT_FALSE(LabelSelector::FromJson({{"matchLabels", {{"a", 1}}}}).ok());
  EXPECT_FALSE(LabelSelector::FromJson("app=x").ok());
  EXPECT_FALSE(LabelSelector::FromJson({{"matchExpressions", {{{"operator", "Exists"}}}}}).ok());
}

}  // namespace
}  // namespace mm::kube
