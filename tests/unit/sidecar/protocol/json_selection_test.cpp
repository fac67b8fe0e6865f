// JsonSelection parses only what an adapter reads; these tests hold it to the
// whole-document parse it replaced: its own semantics on small cases, then every
// adapter on the fuzz corpora and on seeded generated payloads, valid and not
// (tests/fuzz/extraction_equivalence.h).
#include "sidecar/protocol/json_selection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "sidecar/protocol/generic_json_adapter.h"
#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"
#include "tests/fuzz/extraction_equivalence.h"

namespace mm::sidecar {
namespace {

using nlohmann::json;

JsonSelection Select(std::initializer_list<const char*> paths) {
  std::vector<JsonPath> parsed;
  for (const char* p : paths) parsed.push_back(JsonPath::Parse(p).value());
  return JsonSelection(parsed);
}

// Both ways of parsing: the plain scanner (where it takes the body) and nlohmann's SAX.
std::string Parsed(const JsonSelection& s, std::string_view body) {
  auto any = s.ParseAny(body);
  auto plain = s.ParsePlain(body);
  if (plain && (!any.ok() || !SameJson(*plain, *any))) return "plain and SAX differ";
  auto doc = s.Parse(body);
  return doc.ok() ? doc->dump() : doc.error().message;
}

TEST(JsonSelectionTest, KeepsOnlySelectedMembersArrayLengthsAndScalarsOnTheWay) {
  const auto s = Select({"$.outputs[1].data", "$.id"});
  EXPECT_EQ(Parsed(s, R"({"id":"x","pad":"yyy","outputs":[{"data":1},{"data":[1,2.5],"n":3}]})"),
            R"({"id":"x","outputs":[null,{"data":[1,2.5]}]})");
  EXPECT_EQ(Parsed(s, R"({"outputs":7})"), R"({"outputs":7})");
  EXPECT_EQ(Parsed(s, R"({"outputs":{"1":{"data":1}}})"), R"({"outputs":{}})");
  EXPECT_EQ(Parsed(s, R"([{"outputs":1}])"), "[null]");
  EXPECT_EQ(Parsed(s, "3"), "3");
}

TEST(JsonSelectionTest, TheLastOfDuplicateKeysWinsAsInTheWholeDocument) {
  const auto s = Select({"$.a.b"});
  const char* body = R"({"a":{"b":1,"c":2},"a":{"b":[3]},"x":{"a":{"b":4}}})";
  EXPECT_EQ(Parsed(s, body), R"({"a":{"b":[3]}})");
  EXPECT_EQ(json::parse(body)["a"]["b"], json::parse("[3]"));
}

TEST(JsonSelectionTest, WildcardsTakeArrayElementsAndObjectMembers) {
  const auto s = Select({"$.items[*].score"});
  EXPECT_EQ(Parsed(s, R"({"items":[{"score":1,"k":0},{"k":1}]})"), R"({"items":[{"score":1},{}]})");
  EXPECT_EQ(Parsed(s, R"({"items":{"p":{"score":2},"q":3}})"),
            R"({"items":{"p":{"score":2},"q":3}})");
}

TEST(JsonSelectionTest, AcceptsExactlyWhatNlohmannAccepts) {
  const auto s = Select({"$.a"});
  for (const char* body : {"",
                           " ",
                           "{",
                           "{}",
                           "[]",
                           "{} x",
                           "{\"a\":01}",
                           "{\"a\":-}",
                           "{\"a\":1.}",
                           "{\"a\":.5}",
                           "{\"a\":1e}",
                           "{\"a\":1e400}",
                           "{\"a\":1e-400}",
                           "{\"a\":-0}",
                           "{\"a\":18446744073709551616}",
                           "{\"a\":-9223372036854775809}",
                           "{\"a\":[1,]}",
                           "{\"a\":1,}",
                           "{,}",
                           "{\"a\" 1}",
                           "{\"a\":tru}",
                           "{\"a\":nul}",
                           "{\"a\":\"\\u00e9\\n\"}",
                           "{\"a\":\"\\ud800\"}",
                           "{\"a\":\"\xc3\xa9\"}",
                           "{\"a\":\"\xff\"}",
                           "{\"a\":\"\t\"}",
                           "\xef\xbb\xbf{\"a\":1}",
                           "{\"a\":1} ",
                           "\t\r\n{\"a\" : [ ] }",
                           "{\"a\":\"\x7f\"}",
                           "[[[[1]]]]",
                           "\"a\""}) {
    const json whole = json::parse(body, nullptr, false);
    EXPECT_EQ(s.Parse(body).ok(), !whole.is_discarded()) << body;
    EXPECT_NE(Parsed(s, body), "plain and SAX differ") << body;
  }
}

TEST(JsonSelectionTest, DocumentsNestedDeeperThanTheLimitAreRefusedWhateverIsSelected) {
  // Writing a deep value back as text recursed once per level: 100,000 levels
  // overflowed the stack before JsonSelection. Now such a response is an error.
  const std::string limit =
      std::string(JsonSelection::kMaxDepth, '[') + std::string(JsonSelection::kMaxDepth, ']');
  const std::string deeper = "[" + limit + "]";
  for (const auto& s : {Select({"$"}), Select({"$.a"}), JsonSelection::Everything()}) {
    EXPECT_TRUE(s.Parse(limit).ok());
    EXPECT_EQ(s.Parse(deeper).error().message, TooDeep().message);
    EXPECT_EQ(s.Parse("{\"a\":" + std::string(100000, '[') + "}").error().message,
              "the model response is not valid JSON (100006 bytes)");
  }
  auto e = KServeV1Adapter().Extract("{\"predictions\":[" + std::string(100000, '[') +
                                     std::string(100000, ']') + "]}");
  EXPECT_EQ(e.error().message,
            "kserve-v1: the model response nests objects and arrays deeper than 128 levels");
}

TEST(JsonSelectionTest, ThePlainScannerTakesTypicalModelResponses) {
  // What makes the fast path fast: these never reach nlohmann's parser.
  EXPECT_TRUE(OpenInferenceV2Adapter().selection().ParsePlain(
      R"({"model_name":"fraud","id":"1","parameters":{"pad":"xx"},"outputs":[{"name":"p",)"
      R"("shape":[2,2],"datatype":"FP32","data":[0.9,0.1,1e-3,-2E+2]}]})"));
  EXPECT_TRUE(
      KServeV1Adapter().selection().ParsePlain(R"({"predictions":[[0.1,0.9],1,true,null]})"));
  EXPECT_FALSE(OpenAiAdapter().selection().ParsePlain(R"({"choices":[{"text":"a\nb"}]})"));
}

void ExpectEveryAdapterAgrees(std::string_view body, const std::string& what) {
  static const OpenInferenceV2Adapter oip;
  static const KServeV1Adapter kserve;
  static const OpenAiAdapter openai;
  static const std::vector<GenericJsonAdapter> generic = [] {
    std::vector<GenericJsonAdapter> all;
    for (const char* p : {"$", "$.predictions", "$.items[*].score", "$['a'][0]", "$[*]",
                          "$.outputs[0].data", "$.choices[*].message", "$.*.*"}) {
      all.emplace_back(JsonPath::Parse(p).value());
    }
    return all;
  }();
  std::vector<const JsonResponseAdapter*> adapters = {&oip, &kserve, &openai};
  for (const auto& g : generic) adapters.push_back(&g);
  for (const JsonResponseAdapter* a : adapters) {
    const std::string diff = ExtractionDifference(*a, body);
    ASSERT_EQ(diff, "") << what;
  }
  // The OpenAI stream observer, the body as the data of one event.
  static const OpenAiAdapter openai_whole(JsonSelection::Everything());
  const std::string event = "data: " + std::string(body) + "\n\n";
  auto selected = openai.ObserveStream();
  auto whole = openai_whole.ObserveStream();
  ASSERT_EQ(selected->OnData(event), whole->OnData(event)) << what;
  ASSERT_EQ(Describe(selected->Finish()), Describe(whole->Finish())) << what;
}

TEST(ExtractionEquivalenceTest, EveryFuzzCorpusGivesWhatTheWholeDocumentGave) {
  size_t files = 0;
  for (const auto& dir :
       std::filesystem::directory_iterator(std::string(MM_SOURCE_DIR) + "/tests/fuzz/corpus")) {
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      std::ifstream in(file.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      ExpectEveryAdapterAgrees(content.str(), file.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 50u);
}

// Random documents in the shapes the adapters read, written by hand so they can hold
// duplicate keys, odd number spellings, escapes, spacing; then cut and corrupted.
class PayloadWriter {
 public:
  explicit PayloadWriter(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    out_.clear();
    Value(0);
    return out_;
  }
  std::string Corrupt(std::string s) {
    if (s.empty()) return s;
    switch (Pick(4)) {
      case 0:
        return s.substr(0, Pick(s.size()));
      case 1:
        s[Pick(s.size())] = "{}[],:\"\\0-.e \x01\xc3"[Pick(15)];
        return s;
      case 2:
        return s.insert(Pick(s.size()), 1, "{}[],:\"x1"[Pick(9)]);
      default:
        return s + (Pick(2) ? " " : " x");
    }
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <typename T>
  const T& OneOf(const std::vector<T>& v) {
    return v[Pick(v.size())];
  }
  void Space() {
    if (Pick(4) == 0) out_ += OneOf<std::string>({" ", "\n", "\t", "\r\n  "});
  }
  void Key() {
    static const std::vector<std::string> keys = {
        "outputs", "data",       "shape", "predictions", "choices",  "message",
        "delta",   "content",    "text",  "index",       "usage",    "completion_tokens",
        "items",   "score",      "a",     "name",        "datatype", "parameters",
        "x",       "caf\\u00e9", "a\\\"b"};
    out_ += "\"" + OneOf(keys) + "\"";
  }
  void Scalar() {
    static const std::vector<std::string> scalars = {"0",
                                                     "1",
                                                     "2",
                                                     "-1",
                                                     "-0",
                                                     "0.5",
                                                     "0.25",
                                                     "1.0",
                                                     "1.50",
                                                     "1e2",
                                                     "1E-3",
                                                     "-2.5e+3",
                                                     "0.1",
                                                     "0.30000000000000004",
                                                     "123456789012345678",
                                                     "18446744073709551615",
                                                     "18446744073709551616",
                                                     "-9223372036854775808",
                                                     "-9223372036854775809",
                                                     "1e308",
                                                     "1e309",
                                                     "4.9e-324",
                                                     "1e-400",
                                                     "true",
                                                     "false",
                                                     "null",
                                                     "\"cat\"",
                                                     "\"\"",
                                                     "\"a\\nb\"",
                                                     "\"\\u00e9t\\u00e9\"",
                                                     "\"\xc3\xa9\"",
                                                     "\"\\ud83d\\ude00\"",
                                                     "\"0.5\""};
    out_ += OneOf(scalars);
  }
  void Value(int depth) {
    Space();
    const size_t kind = depth > 5 ? 0 : Pick(5);
    if (kind <= 1) {
      Scalar();
    } else if (kind <= 3) {
      out_ += '[';
      const size_t n = Pick(5);
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) out_ += ',';
        Value(depth + 1);
      }
      Space();
      out_ += ']';
    } else {
      out_ += '{';
      const size_t n = Pick(5);
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) out_ += ',';
        Space();
        Key();
        Space();
        out_ += ':';
        Value(depth + 1);
      }
      Space();
      out_ += '}';
    }
    Space();
  }

  std::mt19937 rng_;
  std::string out_;
};

TEST(ExtractionEquivalenceTest, GeneratedPayloadsGiveWhatTheWholeDocumentGave) {
  PayloadWriter writer(20261130);
  size_t valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string doc = writer.Document();
    if (i % 3 == 2) doc = writer.Corrupt(std::move(doc));
    if (!json::parse(doc, nullptr, false).is_discarded()) ++valid;
    ExpectEveryAdapterAgrees(doc, doc);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(valid, 5000u);  // most are valid, so extraction is compared, not just errors
}

}  // namespace
}  // namespace mm::sidecar
