// Starts the built modelmonitor-sidecar with the ModelMonitor spec of
// examples/fraud-classifier.yaml in MM_MONITOR_CONFIG, as the webhook injects it,
// and checks that main wired the ground truth (accuracy gauges, label auth).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/yaml_json.h"
#include "tests/support/test_upstream.h"
#include "tests/support/wait.h"

namespace mm::sidecar {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

uint16_t FreePort() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// The answer, or status 0 when nothing listens yet.
std::pair<int, std::string> Call(uint16_t port, bhttp::verb verb, const std::string& target,
                                 const std::string& authorization = "") {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {0, ""};
  bhttp::request<bhttp::string_body> req{verb, target, 11};
  req.set(bhttp::field::host, "sidecar");
  req.set(bhttp::field::content_type, "application/json");
  if (!authorization.empty()) req.set(bhttp::field::authorization, authorization);
  if (verb == bhttp::verb::post) req.body() = R"({"labels":[{"id":"early","label":1}]})";
  req.prepare_payload();
  bhttp::write(socket, req, ec);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res, ec);
  if (ec) return {0, ""};
  return {res.result_int(), res.body()};
}

TEST(SidecarBinaryTest, MainWiresTheInjectedMonitorConfig) {
  std::ifstream in(std::string(MM_SOURCE_DIR) + "/examples/fraud-classifier.yaml");
  std::stringstream yaml;
  yaml << in.rdbuf();
  auto docs = ParseYamlDocuments(yaml.str());
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  const std::string spec = (*docs)[0].at("spec").dump();

  testing::TestUpstream model([](testing::TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(testing::TestUpstream::Response(200, "text/plain", "ok"));
  });
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("mm-sidecar-binary-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const uint16_t data = FreePort();
  const uint16_t admin = FreePort();
  const std::string binary = std::string(MM_BINARY_DIR) + "/sidecar/modelmonitor-sidecar";
  std::vector<std::string> args = {
      binary, "--data-port=" + std::to_string(data), "--admin-port=" + std::to_string(admin),
      "--upstream=127.0.0.1:" + std::to_string(model.port()), "--store-dir=" + dir.string()};
  std::vector<std::string> env = {"MM_MONITOR_CONFIG=" + spec, "MM_LABEL_TOKEN=tok"};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), envp.data()), 0)
      << binary;

  EXPECT_TRUE(
      testing::WaitFor([&] { return Call(admin, bhttp::verb::get, "/healthz").first == 200; },
                       std::chrono::seconds(10), std::chrono::milliseconds(20)));
  EXPECT_NE(Call(admin, bhttp::verb::get, "/metrics").second.find("modelmonitor_recall{"),
            std::string::npos)
      << "groundTruth from the spec gives the accuracy gauges";
  EXPECT_EQ(Call(admin, bhttp::verb::post, "/v1/labels").first, 401);
  EXPECT_EQ(Call(admin, bhttp::verb::post, "/v1/labels", "Bearer tok").first, 200);
  EXPECT_TRUE(std::filesystem::exists(dir / "predictions.db"));

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::filesystem::remove_all(dir);
}

TEST(SidecarBinaryTest, RefusesABadMonitorConfigWithTheFieldPath) {
  const std::string binary = std::string(MM_BINARY_DIR) + "/sidecar/modelmonitor-sidecar";
  const std::string cmd = "MM_MONITOR_CONFIG='{\"serving\":{\"protocol\":\"grpc\"}}' " + binary +
                          " --admin-port=0 --data-port=0 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("ModelMonitor config: "), std::string::npos) << out;
}

}  // namespace
}  // namespace mm::sidecar
