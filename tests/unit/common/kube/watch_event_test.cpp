#include "common/kube/watch_event.h"

#include <gtest/gtest.h>

namespace mm::kube {
namespace {

TEST(WatchEventTest, DecodesObjectEvents) {
  auto e = ParseWatchEvent(
      R"j({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"p","namespace":"n","resourceVersion":"42"}}})j");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->type, WatchEvent::Type::kModified);
  EXPECT_EQ(e->resource_version, "42");
  EXPECT_EQ(e->object["metadata"]["name"], "p");
  EXPECT_FALSE(e->IsGone());
}

TEST(WatchEventTest, BookmarkCarriesOnlyTheResourceVersion) {
  auto e = ParseWatchEvent(
      R"j({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"77","annotations":{"k8s.io/initial-events-end":"true"}}}})j");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(e->resource_version, "77");
}

TEST(WatchEventTest, GoneIsAnErrorEventWithCode410) {
  auto e = ParseWatchEvent(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (200)","reason":"Expired","code":410}})j");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(e->IsGone());
  EXPECT_EQ(e->error_message, "too old resource version: 1 (200)");
}

TEST(WatchEventTest, RefusesMalformedEvents) {
  for (const char* line : {
           "",
           "null",
           "[]",
           "{",
           R"j({"type":"ADDED"})j",
           R"j({"type":"ADDED","object":[]})j",
           R"j({"type":"RENAMED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})j",
           R"j({"type":"ADDED","object":{"metadata":{"name":"a"}}})j",
           R"j({"type":"ADDED","object":{"metadata":{"resourceVersion":"1"}}})j",
           R"j({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":5}}})j",
           R"j({"type":"ERROR","object":{"message":"no code"}})j",
           R"j({"type":"ERROR","object":{"code":99999}})j",
           R"j({"type":7,"object":{}})j",
       }) {
    EXPECT_FALSE(ParseWatchEvent(line).ok()) << line;
  }
}

TEST(WatchEventTest, ErrorsSayWhatIsExpected) {
  auto e = ParseWatchEvent(R"j({"type":"RENAMED","object":{}})j");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(
      e.error().message,
      "watch event: type \"RENAMED\" is not one of ADDED, MODIFIED, DELETED, BOOKMARK, ERROR");
}

}  // namespace
}  // namespace mm::kube
