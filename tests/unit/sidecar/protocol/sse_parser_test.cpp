#include "sidecar/protocol/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mm::sidecar {
namespace {

std::vector<std::string> Parse(SseParser& p, const std::string& bytes, size_t split) {
  std::vector<std::string> events;
  for (size_t i = 0; i < bytes.size(); i += split) {
    p.Feed(std::string_view(bytes).substr(i, split),
           [&](std::string_view data) { events.emplace_back(data); });
  }
  return events;
}

TEST(SseParserTest, JoinsDataLinesAndHandlesEveryLineEndingInAnySplit) {
  const std::string stream =
      "event: x\ndata: one\n\n"
      "data:two\r\ndata:  three\r\n\r\n"
      ": comment\rdata: four\r\r"
      "id: 7\n\n"          // no data: no event
      "data: unfinished";  // never dispatched
  for (size_t split : {size_t{1}, size_t{2}, size_t{5}, stream.size()}) {
    SseParser p;
    EXPECT_EQ(Parse(p, stream, split), (std::vector<std::string>{"one", "two\n three", "four"}))
        << "split " << split;
  }
}

TEST(SseParserTest, SkipsOversizedEventsAndRecovers) {
  SseParser p(16);
  const auto events =
      Parse(p, "data: " + std::string(100, 'x') + "\ndata: more\n\ndata: ok\n\n", 3);
  EXPECT_EQ(events, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(p.oversized_events(), 1u);
}

}  // namespace
}  // namespace mm::sidecar
