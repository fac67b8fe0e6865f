// The whole sidecar wired from one config: data port in front of a model, the
// admin port reporting what passed through it.
#include "sidecar/sidecar.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <thread>

#include "common/metrics/sidecar_snapshot.h"
#include "tests/support/test_upstream.h"
#include "tests/support/wait.h"

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

bhttp::response<bhttp::string_body> Call(uint16_t port, bhttp::verb verb, const std::string& target,
                                         const std::string& body = "",
                                         const std::string& authorization = "") {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req{verb, target, 11};
  req.set(bhttp::field::host, "sidecar");
  if (!authorization.empty()) req.set(bhttp::field::authorization, authorization);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  return res;
}

TEST(SidecarTest, ServesDataAndAdminPortsFromOneConfigWithSeveralThreads) {
  testing::TestUpstream model([](testing::TestUpstream::Connection& c) {
    while (c.ReadRequest()) {
      c.Write(testing::TestUpstream::Response(200, "application/json",
                                              R"({"predictions":[0.25,0.75]})"));
    }
  });
  SidecarConfig config;
  config.proxy.listen_address = "127.0.0.1";
  config.proxy.port = 0;
  config.proxy.upstream_port = model.port();
  config.proxy.threads = 3;
  config.admin_address = "127.0.0.1";
  config.admin_port = 0;
  config.protocol = {api::Protocol::kKServeV1, "$"};
  config.resources.interval = std::chrono::milliseconds(50);
  config.admin_token = "adm";
  const auto store =
      std::filesystem::temp_directory_path() / ("mm-sidecar-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(store);
  config.ground_truth.emplace();
  config.ground_truth->store_dir = store.string();
  auto sidecar = Sidecar::Create(config);
  ASSERT_TRUE(sidecar.ok()) << sidecar.error().message;
  ASSERT_TRUE((*sidecar)->Start().ok());
  const uint16_t data = (*sidecar)->data_port();
  const uint16_t admin = (*sidecar)->admin_port();

  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([data] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(Call(data, bhttp::verb::post, "/v1/models/m:predict", "{}").result_int(), 200);
      }
    });
  }
  for (auto& c : clients) c.join();

  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Call(admin, bhttp::verb::get, "/metrics")
                   .body()
                   .find("modelmonitor_sidecar_requests_total{code=\"2xx\"} 40") !=
               std::string::npos;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(10)));
  // Two instances per request, each waiting in the store for its label.
  EXPECT_TRUE(
      testing::WaitFor([&] { return (*sidecar)->ground_truth()->counters().store.pending == 80; },
                       std::chrono::seconds(5), std::chrono::milliseconds(10)))
      << (*sidecar)->ground_truth()->counters().store.pending;
  auto snapshot = metrics::SidecarSnapshot::FromJson(nlohmann::json::parse(
      Call(admin, bhttp::verb::get, "/v1/snapshot", "", "Bearer adm").body()));
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  uint64_t requests = 0;
  for (const auto& b : snapshot->buckets) requests += b.requests;
  EXPECT_EQ(requests, 40u);
  EXPECT_EQ(Call(admin, bhttp::verb::get, "/readyz").result_int(), 200);
  // The model process is this test process (it listens on the upstream port).
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return Call(admin, bhttp::verb::get, "/metrics")
                   .body()
                   .find("modelmonitor_sidecar_model_resident_memory_bytes ") != std::string::npos;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(20)));
  (*sidecar)->Stop();
  sidecar->reset();
  std::filesystem::remove_all(store);
}

TEST(SidecarTest, InvalidConfigIsRefusedBeforeAnythingStarts) {
  SidecarConfig config;
  config.requests.sample_rate = -1;
  auto sidecar = Sidecar::Create(config);
  ASSERT_FALSE(sidecar.ok());
  EXPECT_NE(sidecar.error().message.find("sampleRate"), std::string::npos);
}

}  // namespace
}  // namespace mm::sidecar
