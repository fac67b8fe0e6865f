// Each protocol adapter against payloads in the documented formats of MLServer
// (Open Inference Protocol v2), KServe v1 / TF Serving, OpenAI and plain JSON.
#include <gtest/gtest.h>

#include "sidecar/protocol/generic_json_adapter.h"
#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"

namespace mm::sidecar {
namespace {

using Numbers = std::vector<double>;
Numbers NumbersOf(const InstanceOutput& p) { return {p.numbers.begin(), p.numbers.end()}; }

// MLServer's scikit-learn runtime answering a 3-row iris request (docs: "Serving
// Scikit-Learn models").
const char kMlServerPredict[] = R"({
  "model_name": "iris-sklearn", "model_version": "v1", "id": "c2a5e1b4",
  "parameters": {"content_type": null, "headers": null},
  "outputs": [{"name": "predict", "shape": [3, 1], "datatype": "INT64",
               "parameters": {"content_type": "np"}, "data": [0, 1, 2]}]})";

const char kMlServerProba[] = R"({
  "model_name": "fraud", "id": "1",
  "outputs": [{"name": "predict_proba", "shape": [2, 2], "datatype": "FP64",
               "data": [0.9, 0.1, 0.25, 0.75]}]})";

TEST(OpenInferenceV2AdapterTest, OneScalarPredictionPerRow) {
  auto e = OpenInferenceV2Adapter().Extract(kMlServerPredict);
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->predictions.size(), 3u);
  EXPECT_EQ(NumbersOf(e->predictions[2]), Numbers{2});
  EXPECT_FALSE(e->predictions[2].row);
  EXPECT_TRUE(e->predictions[2].json.empty());
}

TEST(OpenInferenceV2AdapterTest, ProbabilityRowsScoreThePositiveClass) {
  auto e = OpenInferenceV2Adapter().Extract(kMlServerProba);
  ASSERT_TRUE(e.ok()) << e.error().message;
  ASSERT_EQ(e->predictions.size(), 2u);
  EXPECT_EQ(NumbersOf(e->predictions[0]), (Numbers{0.9, 0.1}));
  EXPECT_TRUE(e->predictions[0].row);
  EXPECT_EQ(NumbersOf(e->predictions[1]), (Numbers{0.25, 0.75}));
}

TEST(OpenInferenceV2AdapterTest, StringOutputsAndNestedDataAndMissingShape) {
  auto strings = OpenInferenceV2Adapter().Extract(
      R"({"outputs":[{"name":"label","shape":[2],"datatype":"BYTES","data":["cat","dog"]}]})");
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(strings->predictions[1].json, "\"dog\"");
  EXPECT_TRUE(strings->predictions[1].numbers.empty());
  auto nested = OpenInferenceV2Adapter().Extract(R"({"outputs":[{"data":[[0.3,0.7],[1,0]]}]})");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(NumbersOf(nested->predictions[0]), (Numbers{0.3, 0.7}));
  EXPECT_EQ(NumbersOf(nested->predictions[1]), (Numbers{1, 0}));
  auto flat = OpenInferenceV2Adapter().Extract(R"({"outputs":[{"data":[5,6]}]})");
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->predictions.size(), 2u);
  EXPECT_EQ(NumbersOf(flat->predictions[1]), Numbers{6});
  auto mixed = OpenInferenceV2Adapter().Extract(
      R"({"outputs":[{"shape":[2,2],"data":[0.5,true,0.1,0.9]}]})");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->predictions[0].json, "[0.5,true]") << "a row that is not all numbers";
  EXPECT_TRUE(mixed->predictions[0].numbers.empty());
  EXPECT_TRUE(mixed->predictions[1].row);
}

TEST(OpenInferenceV2AdapterTest, MalformedResponsesAreErrorsThatSayWhat) {
  OpenInferenceV2Adapter a;
  for (const char* body :
       {"", "{", "[]", R"({"outputs":[]})", R"({"outputs":[{"data":3}]})",
        R"({"outputs":[{"shape":[2,2],"data":[1,2,3]}]})",
        R"({"outputs":[{"shape":[-1],"data":[1]}]})", R"({"error":"model failed"})"}) {
    auto e = a.Extract(body);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.error().message.rfind("open-inference-v2: ", 0), 0u) << e.error().message;
  }
  auto mismatch = a.Extract(R"({"outputs":[{"shape":[2,2],"data":[1,2,3]}]})");
  EXPECT_NE(mismatch.error().message.find("does not match 3 data elements"), std::string::npos);
}

TEST(KServeV1AdapterTest, PredictionsArrayIsOneInstancePerElement) {
  // KServe's sklearn iris example and a TF Serving row-format classifier.
  auto iris = KServeV1Adapter().Extract(R"({"predictions": [1, 1]})");
  ASSERT_TRUE(iris.ok());
  EXPECT_EQ(iris->predictions.size(), 2u);
  auto tf = KServeV1Adapter().Extract(
      R"({"predictions": [[0.1, 0.2, 0.7], {"label": "cat", "score": 0.9}]})");
  ASSERT_TRUE(tf.ok());
  EXPECT_EQ(NumbersOf(tf->predictions[0]), (Numbers{0.1, 0.2, 0.7}));
  EXPECT_EQ(tf->predictions[1].json, R"({"label":"cat","score":0.9})");
  auto booleans = KServeV1Adapter().Extract(R"({"predictions": [true, false]})");
  ASSERT_TRUE(booleans.ok());
  EXPECT_EQ(NumbersOf(booleans->predictions[0]), Numbers{1});
  EXPECT_EQ(NumbersOf(booleans->predictions[1]), Numbers{0});
  EXPECT_FALSE(KServeV1Adapter().Extract(R"({"outputs": [1]})").ok());
  EXPECT_FALSE(KServeV1Adapter().Extract(R"({"predictions": 1})").ok());
}

// OpenAI API reference, "The chat completion object" and "The completion object".
const char kChatCompletion[] = R"({
  "id": "chatcmpl-123", "object": "chat.completion", "created": 1677652288,
  "model": "gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb",
  "choices": [{"index": 0, "message": {"role": "assistant",
               "content": "\n\nHello there, how may I assist you today?"},
               "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}})";
const char kCompletion[] = R"({
  "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7", "object": "text_completion", "created": 1589478378,
  "model": "gpt-3.5-turbo-instruct",
  "choices": [{"text": "\n\nThis is indeed a test", "index": 0, "logprobs": null,
               "finish_reason": "length"}],
  "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}})";

TEST(OpenAiAdapterTest, ChatAndCompletionResponsesGiveTextAndUsageTokens) {
  auto chat = OpenAiAdapter().Extract(kChatCompletion);
  ASSERT_TRUE(chat.ok()) << chat.error().message;
  ASSERT_EQ(chat->predictions.size(), 1u);
  EXPECT_EQ(chat->predictions[0].json, R"("\n\nHello there, how may I assist you today?")");
  EXPECT_EQ(chat->output_tokens, 12u);
  auto completion = OpenAiAdapter().Extract(kCompletion);
  ASSERT_TRUE(completion.ok());
  EXPECT_EQ(completion->output_tokens, 7u);
  EXPECT_EQ(completion->predictions[0].json, R"("\n\nThis is indeed a test")");
  EXPECT_FALSE(OpenAiAdapter().Extract(R"({"choices":[{"index":0}]})").ok());
  EXPECT_FALSE(OpenAiAdapter().Extract(R"({"error":{"message":"overloaded"}})").ok());
}

// The documented chat.completion.chunk stream, split at awkward places.
const char kChatStream[] =
    "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
    "\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]"
    "}"
    "\n\n"
    "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
    ": keep-alive comment\n\n"
    "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\" world\"},\"finish_reason\":null}]}\r\n\r\n"
    "data: {\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n";

TEST(OpenAiAdapterTest, StreamCountsContentChunksAsTheyArriveWhateverTheSplit) {
  const std::string stream = kChatStream;
  for (size_t split : {size_t{1}, size_t{7}, size_t{64}, stream.size()}) {
    auto observer = OpenAiAdapter().ObserveStream();
    uint64_t tokens = 0;
    for (size_t i = 0; i < stream.size(); i += split) {
      tokens += observer->OnData(std::string_view(stream).substr(i, split));
    }
    EXPECT_EQ(tokens, 2u) << "split " << split;
    auto e = observer->Finish();
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->output_tokens, 2u);
    ASSERT_EQ(e->predictions.size(), 1u);
    EXPECT_EQ(e->predictions[0].json, "\"Hello world\"");
  }
}

TEST(OpenAiAdapterTest, StreamUsageChunkIsAuthoritativeForTokens) {
  auto observer = OpenAiAdapter().ObserveStream();
  observer->OnData(
      "data: {\"choices\":[{\"index\":0,\"text\":\"abc\"}]}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}\n\n"
      "data: [DONE]\n\n");
  auto e = observer->Finish();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->output_tokens, 9u);
}

TEST(OpenAiAdapterTest, GarbageStreamsAreErrorsNotCrashes) {
  auto empty = OpenAiAdapter().ObserveStream();
  EXPECT_FALSE(empty->Finish().ok());
  auto junk = OpenAiAdapter().ObserveStream();
  EXPECT_EQ(junk->OnData("data: {not json\n\ndata: [1,2]\n\ndata: {\"choices\":7}\n\n"), 0u);
  EXPECT_FALSE(junk->Finish().ok());
}

TEST(GenericJsonAdapterTest, OutputPathSelectsABatchASingleValueOrAWildcard) {
  auto adapter = [](const std::string& path) {
    return GenericJsonAdapter(JsonPath::Parse(path).value());
  };
  const char body[] =
      R"({"result": {"predictions": [0.2, 0.9], "label": "spam"},
          "items": [{"score": 0.1}, {"score": 0.6}], "odd key": [1]})";
  auto batch = adapter("$.result.predictions").Extract(body);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->predictions.size(), 2u);
  EXPECT_EQ(NumbersOf(batch->predictions[1]), Numbers{0.9});
  auto single = adapter("$['result'].label").Extract(body);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->predictions[0].json, "\"spam\"");
  auto wildcard = adapter("$.items[*].score").Extract(body);
  ASSERT_TRUE(wildcard.ok());
  ASSERT_EQ(wildcard->predictions.size(), 2u);
  EXPECT_EQ(NumbersOf(wildcard->predictions[1]), Numbers{0.6});
  auto indexed = adapter("$.items[1]").Extract(body);
  ASSERT_TRUE(indexed.ok());
  EXPECT_EQ(indexed->predictions[0].json, R"({"score":0.6})");
  EXPECT_TRUE(adapter("$[\"odd key\"]").Extract(body).ok());
  auto missing = adapter("$.nope").Extract(body);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("$.nope selects nothing"), std::string::npos);
}

TEST(JsonPathTest, RejectsWhatItCannotFollowWithAnExample) {
  for (const char* bad : {"", "predictions", "$.", "$.a[", "$.a[x]", "$..a", "$.a[-1]"}) {
    auto p = JsonPath::Parse(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_NE(p.error().message.find("use e.g. $.predictions"), std::string::npos);
  }
}

TEST(ProtocolAdapterFactoryTest, MakesEachProtocolOfTheApi) {
  for (const auto& [protocol, name] : api::EnumNames<api::Protocol>::kNames) {
    auto a = MakeProtocolAdapter({protocol, "$"});
    ASSERT_TRUE(a.ok()) << name;
    EXPECT_EQ((*a)->name(), name);
  }
  EXPECT_FALSE(MakeProtocolAdapter({api::Protocol::kJson, "predictions"}).ok());
}

}  // namespace
}  // namespace mm::sidecar
