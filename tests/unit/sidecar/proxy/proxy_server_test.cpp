// The data-path proxy in front of a scripted model server, over real sockets on
// 127.0.0.1: forwarding, prediction ids, hop-by-hop fields, pooling, streaming,
// limits, 502/504 and malformed model responses.
#include "sidecar/proxy/proxy_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <mutex>
#include <regex>
#include <thread>

#include "sidecar/protocol/kserve_v1_adapter.h"
#include "sidecar/protocol/open_inference_v2_adapter.h"
#include "sidecar/protocol/openai_adapter.h"
#include "tests/support/capturing_prediction_sink.h"
#include "tests/support/test_upstream.h"
#include "tests/support/wait.h"

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using testing::TestUpstream;

const char kOipResponse[] =
    R"({"model_name":"iris","id":"1","outputs":[{"name":"predict_proba","shape":[2,2],)"
    R"("datatype":"FP64","data":[0.2,0.8,0.9,0.1]}]})";

// A serving config version with `adapter` (default Open Inference v2).
std::shared_ptr<const ServingConfig> Serving(std::shared_ptr<const ProtocolAdapter> adapter = {},
                                             RequestSettings requests = {}) {
  auto config = std::make_shared<ServingConfig>();
  config->requests = std::move(requests);
  config->adapter = adapter ? std::move(adapter) : std::make_shared<OpenInferenceV2Adapter>();
  return config;
}

// The sidecar under test with its own metrics and prediction queue (none: a
// monitor without groundTruth, whose predictions nothing records).
struct Proxy {
  explicit Proxy(uint16_t upstream_port, std::shared_ptr<const ProtocolAdapter> adapter = {},
                 ProxyOptions options = {}, RequestSettings requests = {}, bool with_queue = true)
      : serving(Serving(std::move(adapter), std::move(requests))),
        metrics(std::chrono::seconds(10), 10) {
    options.listen_address = "127.0.0.1";
    options.port = 0;
    options.upstream_port = upstream_port;
    server =
        std::make_unique<ProxyServer>(options, serving, metrics, with_queue ? &queue : nullptr);
    auto started = server->Start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
  }
  // The totals once `requests` requests are finished: metrics are recorded just
  // after the response is sent, so a client may see its answer first.
  metrics::BucketStats Totals(uint64_t requests = 0) {
    testing::WaitFor([&] { return Sum().requests >= requests; }, std::chrono::seconds(5),
                     std::chrono::milliseconds(1));
    return Sum();
  }
  metrics::BucketStats Sum() {
    metrics::BucketStats all;
    for (const auto& b : metrics.buckets().Since(0)) all.Merge(b);
    return all;
  }
  LiveServingConfig serving;
  SidecarMetrics metrics;
  testing::CapturingPredictionSink queue;
  std::unique_ptr<ProxyServer> server;
};

class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  bhttp::response<bhttp::string_body> Send(bhttp::request<bhttp::string_body> req) {
    req.set(bhttp::field::host, "model");
    req.prepare_payload();
    bhttp::write(socket_, req);
    return Read();
  }
  bhttp::response<bhttp::string_body> Post(const std::string& target, const std::string& body) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.body() = body;
    return Send(std::move(req));
  }
  bhttp::response<bhttp::string_body> Read() {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket_, buffer_, res);
    return res;
  }
  void SendRaw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Raw bytes until `needle` has arrived (or the connection ends).
  std::string ReadUntil(const std::string& needle) {
    std::string got(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    char chunk[4096];
    while (got.find(needle) == std::string::npos) {
      beast::error_code ec;
      const size_t n = socket_.read_some(asio::buffer(chunk), ec);
      if (ec) break;
      got.append(chunk, n);
    }
    return got;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

TEST(ProxyServerTest, ForwardsAndReturnsAGeneratedPredictionIdAndRecordsEachInstance) {
  std::promise<std::string> seen_id;
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    auto req = c.ReadRequest();
    if (!req) return;
    seen_id.set_value(std::string((*req)["x-request-id"]));
    c.Write(TestUpstream::Response(200, "application/json", kOipResponse));
  });
  Proxy proxy(upstream.port());
  Client client(proxy.server->port());
  auto res = client.Post("/v2/models/iris/infer", R"({"inputs":[]})");
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), kOipResponse);
  const std::string id(res["x-request-id"]);
  EXPECT_TRUE(
      std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                      "[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(seen_id.get_future().get(), id) << "the model sees the id the client gets";

  auto records = proxy.queue.Await(2, std::chrono::seconds(5));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, id + "/0") << "a batch member's join id is <request id>/<index>";
  EXPECT_EQ(records[0].value, 1);  // argmax of [0.2, 0.8]
  EXPECT_EQ(records[0].scores, std::vector<double>{0.8});
  EXPECT_EQ(records[1].id, id + "/1");
  EXPECT_EQ(records[1].value, 0);
  EXPECT_EQ(records[1].scores, std::vector<double>{0.1});
  const auto totals = proxy.Totals(1);
  EXPECT_EQ(totals.requests, 1u);
  EXPECT_EQ(totals.responses_by_class[2], 1u);
  EXPECT_EQ(totals.predictions_recorded, 2u);
  EXPECT_EQ(totals.latency_seconds.count(), 1u);
}

TEST(ProxyServerTest, StripsHopByHopFieldsBothWaysAndKeepsEndToEndOnes) {
  std::promise<bhttp::request<bhttp::string_body>> seen;
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    auto req = c.ReadRequest();
    if (!req) return;
    seen.set_value(*req);
    c.Write(TestUpstream::Response(200, "application/json", kOipResponse,
                                   "Connection: keep-alive, X-Resp-Hop\r\nX-Resp-Hop: 1\r\n"
                                   "Keep-Alive: timeout=5\r\nX-Resp-End: 2\r\n"));
  });
  Proxy proxy(upstream.port());
  Client client(proxy.server->port());
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/infer?x=1", 11};
  req.set(bhttp::field::connection, "keep-alive, X-Hop");
  req.set("X-Hop", "1");
  req.set(bhttp::field::keep_alive, "timeout=5");
  req.set(bhttp::field::te, "trailers");
  req.set(bhttp::field::proxy_connection, "keep-alive");
  req.set("X-End", "2");
  req.set("x-request-id", "client-id-7");
  req.body() = "{}";
  auto res = client.Send(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["x-request-id"], "client-id-7");
  EXPECT_EQ(res["x-resp-end"], "2");
  EXPECT_EQ(res.count("x-resp-hop"), 0u);
  EXPECT_EQ(res.count(bhttp::field::keep_alive), 0u);

  auto up = seen.get_future().get();
  EXPECT_EQ(up.target(), "/infer?x=1");
  EXPECT_EQ(up["x-end"], "2");
  EXPECT_EQ(up["x-request-id"], "client-id-7");
  EXPECT_EQ(up["host"], "model");
  for (const char* hop : {"x-hop", "keep-alive", "te", "proxy-connection"}) {
    EXPECT_EQ(up.count(hop), 0u) << hop << " reached the model";
  }
  EXPECT_EQ(up.body(), "{}");
}

TEST(ProxyServerTest, ReusesOneUpstreamConnectionForKeepAliveTraffic) {
  TestUpstream upstream([](TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      c.Write(TestUpstream::Response(200, "application/json", kOipResponse));
    }
  });
  Proxy proxy(upstream.port());
  for (int conn = 0; conn < 3; ++conn) {
    Client client(proxy.server->port());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Post("/infer", "{}").result_int(), 200);
  }
  EXPECT_EQ(upstream.connections(), 1);
}

TEST(ProxyServerTest, RetriesOnceWhenAPooledConnectionWasClosedByTheModel) {
  // Answers one request per connection, then closes without saying so (as a model
  // server whose keep-alive timeout expired).
  TestUpstream upstream([](TestUpstream::Connection& c) {
    if (c.ReadRequest()) c.Write(TestUpstream::Response(200, "application/json", kOipResponse));
  });
  Proxy proxy(upstream.port());
  Client client(proxy.server->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.Post("/infer", "{}").result_int(), 200) << i;
  EXPECT_EQ(upstream.connections(), 3);
  EXPECT_EQ(proxy.Totals(3).upstream_unavailable, 0u);
}

TEST(ProxyServerTest, StreamsServerSentEventsAsTheyArriveAndMeasuresTokens) {
  std::promise<void> client_saw_first;
  auto gate = client_saw_first.get_future().share();
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    if (!c.ReadRequest()) return;
    auto chunk = [](const std::string& s) {
      std::ostringstream out;
      out << std::hex << s.size() << "\r\n" << s << "\r\n";
      return out.str();
    };
    c.Write(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
        chunk(R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})"
              "\n\n"));
    // The rest only once the client has the first token: a buffering proxy deadlocks here.
    if (gate.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return;
    c.Write(chunk(R"(data: {"choices":[{"index":0,"delta":{"content":"lo"}}]})"
                  "\n\n"));
    c.Write(chunk(R"(data: {"choices":[{"index":0,"delta":{"content":"!"}}]})"
                  "\n\ndata: [DONE]\n\n") +
            "0\r\n\r\n");
  });
  Proxy proxy(upstream.port(), std::make_shared<OpenAiAdapter>());
  Client client(proxy.server->port());
  client.SendRaw(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}");
  const std::string first = client.ReadUntil("Hel");
  ASSERT_NE(first.find("Hel"), std::string::npos) << "first token not forwarded before the rest";
  EXPECT_NE(first.find("text/event-stream"), std::string::npos);
  EXPECT_EQ(first.find("lo\""), std::string::npos);
  client_saw_first.set_value();
  const std::string rest = client.ReadUntil("0\r\n\r\n");
  EXPECT_NE(rest.find("[DONE]"), std::string::npos);

  // Text is no number, class or probability row: counted, not recorded.
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return proxy.metrics.PrometheusText().find(
                   "modelmonitor_sidecar_predictions_total{result=\"not_recordable\"} 1") !=
               std::string::npos;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(1)));
  EXPECT_EQ(proxy.queue.size(), 0u);
  const auto totals = proxy.Totals(1);
  EXPECT_EQ(totals.streams, 1u);
  EXPECT_EQ(totals.output_tokens, 3u);
  EXPECT_EQ(totals.ttft_seconds.count(), 1u);
  EXPECT_EQ(totals.tokens_per_second.count(), 1u);
  EXPECT_LE(totals.ttft_seconds.Quantile(0.5), totals.latency_seconds.Quantile(0.5) * 1.02);
}

TEST(ProxyServerTest, ANewServingConfigAppliesToTheNextRequestAndSparesConnectionsInFlight) {
  std::promise<void> reloaded;
  auto gate = reloaded.get_future().share();
  std::mutex mu;
  std::vector<std::string> trace_ids;  // x-trace-id as the model saw it, per request
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      {
        std::lock_guard lock(mu);
        trace_ids.emplace_back((*req)["x-trace-id"]);
      }
      if (req->target() != "/stream") {
        c.Write(TestUpstream::Response(200, "application/json", R"({"predictions":[1]})"));
        continue;
      }
      c.Write(
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
          "chunked\r\n\r\n7\r\ndata: 1\r\n");
      if (gate.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return;
      c.Write("7\r\ndata: 2\r\n0\r\n\r\n");
    }
  });
  Proxy proxy(upstream.port(), std::make_shared<KServeV1Adapter>());
  Client keep_alive(proxy.server->port());
  auto before = keep_alive.Post("/infer", "{}");
  ASSERT_EQ(before.result_int(), 200);
  EXPECT_FALSE(before["x-request-id"].empty());
  Client stream(proxy.server->port());
  stream.SendRaw("POST /stream HTTP/1.1\r\nHost: m\r\nContent-Length: 2\r\n\r\n{}");
  const std::string head = stream.ReadUntil("data: 1");
  ASSERT_NE(head.find("data: 1"), std::string::npos) << head;

  RequestSettings requests;
  requests.request_id_header = "x-trace-id";
  proxy.serving.Store(Serving(std::make_shared<KServeV1Adapter>(), requests));
  auto after = keep_alive.Post("/infer", "{}");  // the same client connection
  ASSERT_EQ(after.result_int(), 200);
  EXPECT_FALSE(after["x-trace-id"].empty()) << "the next request is served with the new config";
  EXPECT_TRUE(after["x-request-id"].empty());

  reloaded.set_value();
  const std::string rest = stream.ReadUntil("0\r\n\r\n");
  EXPECT_NE(rest.find("data: 2"), std::string::npos) << "the stream in flight completes";
  EXPECT_NE(head.find("x-request-id"), std::string::npos) << "under the config it started with";
  EXPECT_EQ(keep_alive.Post("/infer", "{}").result_int(), 200);
  EXPECT_EQ(upstream.connections(), 2) << "pooled model connections outlive the swap";
  std::lock_guard lock(mu);
  ASSERT_EQ(trace_ids.size(), 4u);
  EXPECT_TRUE(trace_ids[0].empty() && trace_ids[1].empty());
  EXPECT_EQ(trace_ids[2], std::string(after["x-trace-id"])) << "the model sees the new header";
}

TEST(ProxyServerTest, ModelDownIs502CountedAndTheSidecarKeepsServing) {
  uint16_t closed_port = 0;
  {
    TestUpstream gone([](TestUpstream::Connection&) {});
    closed_port = gone.port();
  }
  Proxy proxy(closed_port);
  Client client(proxy.server->port());
  for (int i = 0; i < 2; ++i) {
    auto res = client.Post("/infer", "{}");
    EXPECT_EQ(res.result_int(), 502);
    EXPECT_NE(res.body().find("not reachable"), std::string::npos) << res.body();
    EXPECT_FALSE(res["x-request-id"].empty());
  }
  const auto totals = proxy.Totals(2);
  EXPECT_EQ(totals.upstream_unavailable, 2u);
  EXPECT_EQ(totals.responses_by_class[5], 2u);
}

TEST(ProxyServerTest, ModelSlowIs504AndCounted) {
  std::promise<void> release;
  auto done = release.get_future().share();
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    if (c.ReadRequest()) done.wait_for(std::chrono::seconds(10));  // never answers in time
  });
  ProxyOptions options;
  options.upstream_timeout = std::chrono::milliseconds(200);
  Proxy proxy(upstream.port(), nullptr, options);
  Client client(proxy.server->port());
  auto res = client.Post("/infer", "{}");
  release.set_value();
  EXPECT_EQ(res.result_int(), 504);
  EXPECT_NE(res.body().find("did not answer within 200ms"), std::string::npos) << res.body();
  EXPECT_EQ(proxy.Totals(1).upstream_timeout, 1u);
}

TEST(ProxyServerTest, MalformedModelResponsesGive502OrExtractionErrorsNeverACrash) {
  std::atomic<int> n{0};
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    while (c.ReadRequest()) {
      switch (n++) {
        case 0:
          c.Write("garbage that is not HTTP\r\n\r\n");
          return;
        case 1:
          c.Write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");  // cut short
          return;
        default:
          c.Write(TestUpstream::Response(200, "application/json", R"({"outputs":[{"data":)"));
      }
    }
  });
  Proxy proxy(upstream.port());
  EXPECT_EQ(Client(proxy.server->port()).Post("/infer", "{}").result_int(), 502);
  EXPECT_EQ(Client(proxy.server->port()).Post("/infer", "{}").result_int(), 502);
  auto res = Client(proxy.server->port()).Post("/infer", "{}");
  EXPECT_EQ(res.result_int(), 200) << "a body the adapter cannot read still reaches the client";
  EXPECT_EQ(res.body(), R"({"outputs":[{"data":)");
  const auto totals = proxy.Totals(3);
  EXPECT_EQ(totals.upstream_unavailable, 2u);
  EXPECT_EQ(totals.extraction_errors, 1u);
}

TEST(ProxyServerTest, ResponsesAreParsedOnlyWhenSomethingTakesTheirPredictions) {
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    while (c.ReadRequest()) {
      c.Write(TestUpstream::Response(
          200, "application/json",
          R"({"choices":[{"index":0,"text":"hi"}],"usage":{"completion_tokens":5}})"));
    }
  });
  // No groundTruth (no queue): an Open Inference answer it cannot read is not even
  // looked at, so no extraction error; the OpenAI adapter reads every answer all the
  // same, for its token counts.
  Proxy not_recording(upstream.port(), {}, {}, {}, /*with_queue=*/false);
  EXPECT_EQ(Client(not_recording.server->port()).Post("/infer", "{}").result_int(), 200);
  EXPECT_EQ(not_recording.Totals(1).extraction_errors, 0u);
  Proxy tokens(upstream.port(), std::make_shared<OpenAiAdapter>(), {}, {}, /*with_queue=*/false);
  EXPECT_EQ(Client(tokens.server->port()).Post("/v1/completions", "{}").result_int(), 200);
  EXPECT_EQ(tokens.Totals(1).output_tokens, 5u);
  // With a queue, the same unreadable answer is an extraction error.
  Proxy recording(upstream.port());
  EXPECT_EQ(Client(recording.server->port()).Post("/infer", "{}").result_int(), 200);
  EXPECT_EQ(recording.Totals(1).extraction_errors, 1u);
}

TEST(ProxyServerTest, OversizedRequestsAre413And431) {
  TestUpstream upstream([](TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(TestUpstream::Response(200, "application/json", "{}"));
  });
  ProxyOptions options;
  options.max_header_bytes = 2048;
  RequestSettings requests;
  requests.max_body_bytes = 1000;
  Proxy proxy(upstream.port(), nullptr, options, requests);
  auto big = Client(proxy.server->port()).Post("/infer", std::string(1001, 'x'));
  EXPECT_EQ(big.result_int(), 413);
  EXPECT_NE(big.body().find("1000 bytes"), std::string::npos);

  Client headers(proxy.server->port());
  headers.SendRaw("GET / HTTP/1.1\r\nHost: m\r\nX-Big: " + std::string(3000, 'h') + "\r\n\r\n");
  EXPECT_EQ(headers.Read().result_int(), 431);
  EXPECT_EQ(upstream.connections(), 0) << "refused requests never reach the model";

  // A chunked body is streamed, so its excess is found on the way.
  Client chunked(proxy.server->port());
  chunked.SendRaw("POST /infer HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" +
                  std::string(1000, 'a') + "\r\n5\r\nbbbbb\r\n0\r\n\r\n");
  EXPECT_NE(chunked.ReadUntil("\r\n\r\n").find("413"), std::string::npos);
}

TEST(ProxyServerTest, StreamsLargeAndChunkedRequestBodiesWhole) {
  TestUpstream upstream([](TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      c.Write(TestUpstream::Response(
          200, "application/json",
          R"({"predictions":[)" + std::to_string(req->body().size()) + "]}"));
    }
  });
  Proxy proxy(upstream.port());
  Client client(proxy.server->port());
  const std::string big(300 << 10, 'z');  // above the 64 KiB buffered size
  EXPECT_EQ(client.Post("/infer", big).body(), R"({"predictions":[307200]})");
  client.SendRaw(
      "POST /infer HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n");
  EXPECT_EQ(client.Read().body(), R"({"predictions":[10]})");
  client.SendRaw(
      "POST /infer HTTP/1.1\r\nHost: m\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_NE(client.ReadUntil("\r\n\r\n").find("100 Continue"), std::string::npos);
  client.SendRaw("xyz");
  EXPECT_EQ(client.Read().body(), R"({"predictions":[3]})");
}

// Whole messages are parsed from what is already read and written straight to
// the socket, falling back to waiting only for what is missing or does not fit.
TEST(ProxyServerTest, PipelinedRequestsSplitResponsesAndResponsesLargerThanTheSocketTakes) {
  const std::string large(16 << 20, 'L');  // more than a loopback socket buffers
  TestUpstream upstream([&](TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      const std::string target(req->target());
      if (target == "/split") {  // the head now, the body 50 ms later
        c.Write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        c.Write("late");
      } else if (target == "/large") {
        c.Write(TestUpstream::Response(200, "text/plain", large));
      } else {
        c.Write(TestUpstream::Response(200, "text/plain", "echo " + req->body()));
      }
    }
  });
  ProxyOptions options;
  options.buffered_body_bytes = 32 << 20;  // the 16 MiB answer takes the whole-message path
  Proxy proxy(upstream.port(), {}, options);
  Client client(proxy.server->port());
  client.SendRaw(
      "POST /a HTTP/1.1\r\nHost: m\r\nContent-Length: 3\r\n\r\none"
      "POST /b HTTP/1.1\r\nHost: m\r\nContent-Length: 3\r\n\r\ntwo");
  EXPECT_EQ(client.Read().body(), "echo one");
  EXPECT_EQ(client.Read().body(), "echo two") << "the second request was already in the buffer";
  EXPECT_EQ(client.Post("/split", "x").body(), "late");
  // The client reads nothing for 200 ms: the sidecar's write fills the socket and
  // the rest goes out as the client reads.
  client.SendRaw("GET /large HTTP/1.1\r\nHost: m\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto res = client.Read();
  EXPECT_EQ(res.body().size(), large.size());
  EXPECT_EQ(res.body(), large);
  EXPECT_EQ(client.Post("/c", "3").body(), "echo 3") << "the connection is still in step";
}

TEST(ProxyServerTest, SampleRateZeroTimesEverythingAndRecordsNothing) {
  TestUpstream upstream([](TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(TestUpstream::Response(200, "application/json", kOipResponse));
  });
  RequestSettings requests;
  requests.sample_rate = 0;
  Proxy proxy(upstream.port(), nullptr, {}, requests);
  Client client(proxy.server->port());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(client.Post("/infer", "{}").result_int(), 200);
  EXPECT_EQ(proxy.queue.size(), 0u);
  EXPECT_EQ(proxy.Totals(4).latency_seconds.count(), 4u);
}

}  // namespace
}  // namespace mm::sidecar

namespace mm::sidecar {
namespace {

TEST(ProxyServerTest, HeadResponsesCarryNoBodyAndHttp10ClientsGetTheirFraming) {
  TestUpstream upstream([](TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      if (req->method() == bhttp::verb::head) {
        c.Write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n");
      } else {
        // A chunked answer, re-framed for each client.
        c.Write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
            "chunked\r\n\r\n"
            "10\r\n{\"predictions\":[\r\n3\r\n1]}\r\n0\r\n\r\n");
      }
    }
  });
  Proxy proxy(upstream.port(), std::make_shared<KServeV1Adapter>());
  Client client(proxy.server->port());
  client.SendRaw("HEAD /v1/models/m HTTP/1.1\r\nHost: m\r\n\r\n");
  const std::string head = client.ReadUntil("\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 120"), std::string::npos) << head;
  auto after = client.Post("/infer", "{}");  // the same connection still frames correctly
  EXPECT_EQ(after.result_int(), 200);
  EXPECT_EQ(after.body(), R"({"predictions":[1]})");

  Client old(proxy.server->port());
  old.SendRaw("POST /infer HTTP/1.0\r\nHost: m\r\nContent-Length: 2\r\n\r\n{}");
  const std::string raw = old.ReadUntil("never");  // HTTP/1.0: the body ends at close
  EXPECT_EQ(raw.rfind("HTTP/1.0 200", 0), 0u) << raw;
  EXPECT_EQ(raw.find("chunked"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\r\n\r\n{\"predictions\":[1]}"), std::string::npos) << raw;
  const auto totals = proxy.Totals(3);
  EXPECT_EQ(totals.predictions_recorded, 2u);
  EXPECT_EQ(totals.extraction_errors, 0u) << "a HEAD answer has no prediction to look for";
}

}  // namespace
}  // namespace mm::sidecar
