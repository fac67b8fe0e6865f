#include "operator/endpoints/label_gateway.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

std::string ErrorOf(std::string_view body, std::string_view type = "application/json") {
  auto r = CheckLabelBatch(body, type);
  return r.ok() ? "" : r.error().message;
}

TEST(CheckLabelBatch, AcceptsJsonAndNdjson) {
  auto json = CheckLabelBatch(R"({"labels":[{"id":"a","label":1},{"id":"b","label":0}]})",
                              "application/json; charset=utf-8");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(json->labels, 2u);
  EXPECT_EQ(json->content_type, "application/json");
  auto nd = CheckLabelBatch("{\"id\":\"a\",\"label\":1}\n\n{\"id\":\"b\",\"label\":0}\n",
                            "application/jsonl");
  ASSERT_TRUE(nd.ok()) << nd.error().message;
  EXPECT_EQ(nd->labels, 2u);
  EXPECT_EQ(nd->content_type, "application/x-ndjson");
  EXPECT_TRUE(CheckLabelBatch(R"({"labels":[{"id":"a","label":1}]})", "").ok())
      << "no content type: JSON";
}

TEST(CheckLabelBatch, WholeBatchProblemsNameTheField) {
  EXPECT_NE(ErrorOf("{\"labels\": [").find("body: not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("[1,2]").find("body: must be a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf("{}").find("body.labels: missing"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"labels": {}})").find("body.labels: must be an array"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"labels": []})").find("body.labels: empty"), std::string::npos);
  EXPECT_NE(ErrorOf("a,b", "text/csv").find("content-type \"text/csv\" is not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf("\n \n", "application/x-ndjson").find("body: no labels"), std::string::npos);
}

TEST(CheckLabelBatch, ItemsAreLeftToTheSidecars) {
  // A bad item is counted `invalid` by each sidecar; the rest of the batch applies.
  EXPECT_TRUE(
      CheckLabelBatch(R"({"labels":[{"label":1},{"id":"b","label":"x"}]})", "application/json")
          .ok());
}

TEST(CheckLabelBatch, Limits) {
  LabelBatchLimits small{2};
  EXPECT_FALSE(CheckLabelBatch(R"({"labels":[1,2,3]})", "application/json", small).ok());
  EXPECT_FALSE(CheckLabelBatch("a\nb\nc\n", "application/x-ndjson", small).ok());
  EXPECT_TRUE(CheckLabelBatch("a\nb\n", "application/x-ndjson", small).ok());
}

}  // namespace
}  // namespace mm::op
