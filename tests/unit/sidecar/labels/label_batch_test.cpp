#include "sidecar/labels/label_batch.h"

#include <gtest/gtest.h>

namespace mm::sidecar {
namespace {

TEST(LabelBatchTest, ParsesJsonNumbersStringsAndBools) {
  auto b = ParseLabelsJson(
      R"({"labels":[{"id":"a","label":1},{"id":"b","label":"0"},{"id":"c","label":true}]})",
      LabelKind::kClass, {});
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->received, 3u);
  EXPECT_EQ(b->invalid, 0u);
  ASSERT_EQ(b->labels.size(), 3u);
  EXPECT_EQ(b->labels[0].id, "a");
  EXPECT_EQ(b->labels[0].value, 1);
  EXPECT_EQ(b->labels[1].value, 0);
  EXPECT_EQ(b->labels[2].value, 1);
}

TEST(LabelBatchTest, InvalidItemsAreCountedWithReasonsAndTheRestApplied) {
  LabelLimits limits;
  limits.max_reasons = 2;
  limits.max_classes = 10;
  auto b = ParseLabelsJson(
      R"({"labels":[{"id":"a","label":1.5},{"label":1},{"id":"c","label":"cat"},
                    {"id":"d","label":12},{"id":"e","label":3},{"id":"f"}, 7]})",
      LabelKind::kClass, limits);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->received, 7u);
  EXPECT_EQ(b->invalid, 6u);
  ASSERT_EQ(b->labels.size(), 1u);
  EXPECT_EQ(b->labels[0].id, "e");
  ASSERT_EQ(b->problems.size(), 2u);
  EXPECT_EQ(b->problems[0].index, 0u);
  EXPECT_EQ(b->problems[0].reason, "labels[0].label: 1.5 is not a class (use an integer 0..9)");
  EXPECT_EQ(b->problems[1].reason, "labels[1].id: missing or not a non-empty string");
}

TEST(LabelBatchTest, RegressionLabelsAreAnyFiniteNumber) {
  auto b = ParseLabelsJson(R"({"labels":[{"id":"a","label":-2.5},{"id":"b","label":"1e3"}]})",
                           LabelKind::kNumber, {});
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->labels.size(), 2u);
  EXPECT_EQ(b->labels[0].value, -2.5);
  EXPECT_EQ(b->labels[1].value, 1000);
}

TEST(LabelBatchTest, StructuralProblemsRefuseTheWholeBatch) {
  EXPECT_FALSE(ParseLabelsJson("not json", LabelKind::kClass, {}).ok());
  EXPECT_FALSE(ParseLabelsJson(R"({"label":[]})", LabelKind::kClass, {}).ok());
  EXPECT_FALSE(ParseLabelsJson(R"([{"id":"a","label":1}])", LabelKind::kClass, {}).ok());
  EXPECT_FALSE(ParseLabelsJson(R"({"labels":[[[[[[[[[[1]]]]]]]]]]})", LabelKind::kClass, {}).ok());
  LabelLimits limits;
  limits.max_labels = 2;
  auto too_many = ParseLabelsJson(R"({"labels":[{"id":"a","label":1},{"id":"b","label":1},
                                   {"id":"c","label":1}]})",
                                  LabelKind::kClass, limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().message, "label batch has 3 labels (at most 2 per request)");
  limits.max_body_bytes = 10;
  EXPECT_FALSE(ParseLabelsJson(R"({"labels":[]})", LabelKind::kClass, limits).ok());
}

TEST(LabelBatchTest, NdjsonBadLinesAreInvalidItemsNotARefusal) {
  auto b =
      ParseLabelsNdjson("{\"id\":\"a\",\"label\":1}\r\n\n  \n{oops\n{\"id\":\"b\",\"label\":0}",
                        LabelKind::kClass, {});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->received, 3u);
  EXPECT_EQ(b->invalid, 1u);
  ASSERT_EQ(b->labels.size(), 2u);
  EXPECT_EQ(b->labels[1].id, "b");
  ASSERT_EQ(b->problems.size(), 1u);
  EXPECT_EQ(b->problems[0].index, 4u);
  EXPECT_EQ(b->problems[0].reason, "line 4: not a JSON object");
}

TEST(LabelBatchTest, NdjsonLineLimitRefusesTheBatch) {
  LabelLimits limits;
  limits.max_labels = 2;
  EXPECT_FALSE(ParseLabelsNdjson("{\"id\":\"a\",\"label\":1}\n{\"id\":\"b\",\"label\":1}\n{}\n",
                                 LabelKind::kClass, limits)
                   .ok());
}

TEST(LabelBatchTest, ContentTypeSelectsNdjson) {
  EXPECT_TRUE(IsNdjsonContentType("application/x-ndjson"));
  EXPECT_TRUE(IsNdjsonContentType("Application/JSONL; charset=utf-8"));
  EXPECT_FALSE(IsNdjsonContentType("application/json"));
  EXPECT_FALSE(IsNdjsonContentType(""));
}

}  // namespace
}  // namespace mm::sidecar
