#include "common/yaml_json.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

using nlohmann::json;

TEST(YamlToJson, TypesPlainScalarsLikeKubectl) {
  auto docs = ParseYamlDocuments(R"(
int: 42
negative: -7
float: 0.25
exp: 1e3
bool: true
yes11: yes
null1: ~
empty:
quoted: "42"
single: '0.5'
str: 5m
op: ">"
hex: 0x10
version: 1.2.3
list: [1, "a", false]
nested: {a: {b: c}}
)");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 1u);
  const json& j = (*docs)[0];
  EXPECT_EQ(j["int"], 42);
  EXPECT_TRUE(j["int"].is_number_integer());
  EXPECT_EQ(j["negative"], -7);
  EXPECT_EQ(j["float"], 0.25);
  EXPECT_EQ(j["exp"], 1000.0);
  EXPECT_EQ(j["bool"], true);
  EXPECT_EQ(j["yes11"], true);
  EXPECT_TRUE(j["null1"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["quoted"], "42");
  EXPECT_EQ(j["single"], "0.5");
  EXPECT_EQ(j["str"], "5m");
  EXPECT_EQ(j["op"], ">");
  EXPECT_EQ(j["hex"], 16);
  EXPECT_EQ(j["version"], "1.2.3");
  EXPECT_EQ(j["list"], json::parse(R"([1, "a", false])"));
  EXPECT_EQ(j["nested"]["a"]["b"], "c");
}

TEST(YamlToJson, SplitsDocumentsAndReportsErrors) {
  auto docs = ParseYamlDocuments("a: 1\n---\n---\nb: 2\n");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->size(), 2u);
  auto bad = ParseYamlDocuments("a: [1, 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("invalid YAML"), std::string::npos);
}

}  // namespace
}  // namespace mm
