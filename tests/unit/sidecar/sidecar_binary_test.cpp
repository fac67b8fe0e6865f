// Starts the built modelmonitor-sidecar with the ModelMonitor spec of
// examples/fraud-classifier.yaml in MM_MONITOR_CONFIG, as the webhook injects it,
// and checks that main wired the ground truth (accuracy gauges, label auth); then
// with a config file laid out like a mounted ConfigMap, rewritten the way the
// kubelet does while clients keep their connections.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "common/yaml_json.h"
#include "tests/support/http_call.h"
#include "tests/support/keep_alive_client.h"
#include "tests/support/local_process.h"
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

// A folder laid out as the kubelet mounts a ConfigMap: monitor.json ->
// ..data/monitor.json, ..data -> ..<version>/. Write puts a new version beside the
// old one and swaps ..data by renaming a new symlink over it (atomic), as the
// kubelet's AtomicWriter does: a reader sees the old file or the new, never half.
class ConfigMapVolume {
 public:
  ConfigMapVolume(const std::string& name, const std::string& first)
      : dir_(std::filesystem::path(::testing::TempDir()) /
             (name + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (!first.empty()) Write(first);  // empty: an optional ConfigMap not created yet
  }
  ~ConfigMapVolume() { std::filesystem::remove_all(dir_); }
  std::string file() const { return (dir_ / "monitor.json").string(); }
  void Write(const std::string& text) {
    const std::string version = "..v" + std::to_string(++version_);
    std::filesystem::create_directory(dir_ / version);
    std::ofstream(dir_ / version / "monitor.json") << text;
    std::filesystem::create_symlink(version, dir_ / "..data_tmp");
    std::filesystem::rename(dir_ / "..data_tmp", dir_ / "..data");
    if (!std::filesystem::is_symlink(file())) {
      std::filesystem::create_symlink("..data/monitor.json", file());
    }
  }
  // What the kubelet does when the ConfigMap is deleted: the key's file goes.
  void Remove() { std::filesystem::remove(file()); }

 private:
  std::filesystem::path dir_;
  int version_ = 0;
};

// A config in the webhook's injected form; `serving` and `sidecar` merged in.
std::string MonitorConfig(const nlohmann::json& serving, const nlohmann::json& sidecar) {
  nlohmann::json j = {{"monitor", {{"namespace", "ml"}, {"name", "fraud"}, {"generation", 1}}},
                      {"serving", {{"protocol", "json"}, {"outputPath", "$.predictions"}}},
                      {"sidecar", {{"sampleRate", 1}}}};
  if (serving.is_object()) j["serving"].update(serving);
  if (sidecar.is_object()) j["sidecar"].update(sidecar);
  return j.dump();
}

// The flags of a sidecar reading `volume` every `check_every_ms` (0: on SIGHUP only).
std::vector<std::string> ConfigFileFlags(const ConfigMapVolume& volume, uint16_t model_port,
                                         int check_every_ms) {
  return {"--config=" + volume.file(), "--config-check-every=" + std::to_string(check_every_ms),
          "--upstream=127.0.0.1:" + std::to_string(model_port)};
}

// A log file path no earlier sidecar has written to (tests may run repeatedly in
// one process): a stale log would name stale ports.
std::string FreshLogPath(const std::string& name) {
  static int started = 0;
  const std::string path = ::testing::TempDir() + "/" + name + "-" + std::to_string(getpid()) +
                           "-" + std::to_string(++started) + ".log";
  std::filesystem::remove(path);
  return path;
}

// The sidecar binary on 127.0.0.1, ports picked by the kernel (read from its log).
struct SidecarProcess {
  SidecarProcess(const std::string& name, std::vector<std::string> args,
                 const std::vector<std::string>& env = {})
      : log(FreshLogPath(name)),
        process(
            std::string(MM_BINARY_DIR) + "/sidecar/modelmonitor-sidecar",
            [&] {
              args.insert(args.end(),
                          {"--listen-address=127.0.0.1", "--data-port=0", "--admin-port=0"});
              return args;
            }(),
            log, env) {
    // The log line that names the ports, once whole.
    auto read_ports = [this] {
      std::istringstream lines(process.Log());
      for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object() || j.value("msg", "") != "sidecar serving") continue;
        data_port = j.value("dataPort", uint16_t{0});
        admin_port = j.value("adminPort", uint16_t{0});
      }
      return data_port != 0 && admin_port != 0;
    };
    EXPECT_TRUE(
        testing::WaitFor(read_ports, std::chrono::seconds(10), std::chrono::milliseconds(20)))
        << process.Log();
  }
  ~SidecarProcess() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove(log);  // kept to debug a failure
  }
  std::string Metrics() const {
    return testing::HttpCall("127.0.0.1", admin_port, "GET", "/metrics").body;
  }
  bool MetricIs(const std::string& sample) const {
    return Metrics().find(sample + "\n") != std::string::npos;
  }
  // Waits (10 s at most) until /metrics has the line `sample`, or the log has `text`.
  bool WaitForMetric(const std::string& sample) const {
    return testing::WaitFor([&] { return MetricIs(sample); }, std::chrono::seconds(10),
                            std::chrono::milliseconds(20));
  }
  bool WaitForLog(const std::string& text) const {
    return testing::WaitFor([&] { return process.Log().find(text) != std::string::npos; },
                            std::chrono::seconds(10), std::chrono::milliseconds(20));
  }
  std::string log;
  testing::LocalProcess process;
  uint16_t data_port = 0;
  uint16_t admin_port = 0;
};

TEST(SidecarBinaryTest, ReloadsARewrittenConfigMapWithoutDroppingConnectionsOrStreams) {
  std::promise<void> release_stream;
  auto stream_gate = release_stream.get_future().share();
  testing::TestUpstream model([&](testing::TestUpstream::Connection& c) {
    while (auto req = c.ReadRequest()) {
      if (req->target() == "/stream") {
        c.Write(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            "Transfer-Encoding: chunked\r\n\r\n9\r\ndata: 1\n\n\r\n");
        if (stream_gate.wait_for(std::chrono::seconds(20)) != std::future_status::ready) return;
        c.Write("9\r\ndata: 2\n\n\r\n0\r\n\r\n");
        continue;
      }
      c.Write(testing::TestUpstream::Response(200, "application/json", R"({"predictions":[1]})"));
    }
  });
  ConfigMapVolume volume("mm-reload", MonitorConfig({}, {}));
  SidecarProcess sidecar("sidecar-reload", ConfigFileFlags(volume, model.port(), 50));
  ASSERT_NE(sidecar.data_port, 0) << sidecar.process.Log();
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_generation 1"));

  // A stream in flight on one connection, a keep-alive client on another.
  testing::KeepAliveClient stream("127.0.0.1", sidecar.data_port);
  stream.SendRaw(
      "POST /stream HTTP/1.1\r\nHost: model\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}");
  const std::string stream_head = stream.ReadUntil("data: 1");
  ASSERT_NE(stream_head.find("data: 1"), std::string::npos) << stream_head;
  testing::KeepAliveClient client("127.0.0.1", sidecar.data_port);
  auto before = client.Post("/infer");
  EXPECT_EQ(before.result_int(), 200);
  EXPECT_FALSE(before["x-request-id"].empty());
  EXPECT_EQ(model.connections(), 2);

  volume.Write(MonitorConfig({{"requestIdHeader", "x-trace-id"}}, {{"sampleRate", 0.5}}));
  EXPECT_TRUE(sidecar.WaitForMetric("modelmonitor_sidecar_config_generation 2"))
      << sidecar.process.Log();
  auto after = client.Post("/infer");  // the same connection, kept open by the reload
  EXPECT_EQ(after.result_int(), 200);
  EXPECT_FALSE(after["x-trace-id"].empty()) << "the new requestIdHeader is live";
  EXPECT_TRUE(after["x-request-id"].empty());
  EXPECT_EQ(model.connections(), 2) << "the pooled model connection outlived the reload";

  release_stream.set_value();
  const std::string stream_rest = stream.ReadUntil("0\r\n\r\n");
  EXPECT_NE(stream_rest.find("data: 2"), std::string::npos) << "the stream completes intact";
  EXPECT_NE(stream_rest.find("0\r\n\r\n"), std::string::npos) << stream_rest;
  EXPECT_NE(stream_head.find("x-request-id"), std::string::npos)
      << "the stream keeps the config it started with";

  // An invalid rewrite: refused, counted, logged with its field path; the old stays.
  volume.Write(MonitorConfig({{"requestIdHeader", "x-trace-id"}}, {{"sampleRate", 3}}));
  EXPECT_TRUE(
      sidecar.WaitForMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 1"));
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_generation 2"));
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_reloads_total{result=\"success\"} 1"));
  EXPECT_NE(sidecar.process.Log().find("spec.sidecar.sampleRate"), std::string::npos);
  auto still = client.Post("/infer");
  EXPECT_EQ(still.result_int(), 200);
  EXPECT_FALSE(still["x-trace-id"].empty()) << "the last good config keeps serving";

  sidecar.process.Signal(SIGTERM);
  EXPECT_EQ(sidecar.process.Wait(std::chrono::seconds(10)), 0) << sidecar.process.Log();
}

TEST(SidecarBinaryTest, SighupReloadsTheConfigAndDoesNotStopTheSidecar) {
  testing::TestUpstream model([](testing::TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(testing::TestUpstream::Response(200, "text/plain", "ok"));
  });
  ConfigMapVolume volume("mm-sighup", MonitorConfig({}, {}));
  SidecarProcess sidecar("sidecar-sighup", ConfigFileFlags(volume, model.port(), 0));
  ASSERT_NE(sidecar.admin_port, 0) << sidecar.process.Log();
  volume.Write(MonitorConfig({{"requestIdHeader", "x-trace-id"}}, {}));
  sidecar.process.Signal(SIGHUP);
  EXPECT_TRUE(sidecar.WaitForMetric("modelmonitor_sidecar_config_generation 2"))
      << sidecar.process.Log();
  sidecar.process.Signal(SIGHUP);  // unchanged: said so, nothing else
  EXPECT_TRUE(sidecar.WaitForLog("configuration unchanged"));
  EXPECT_TRUE(sidecar.process.Running());
  sidecar.process.Signal(SIGTERM);
  EXPECT_EQ(sidecar.process.Wait(std::chrono::seconds(10)), 0) << sidecar.process.Log();
}

// The injected form with the monitor's identity: generation `generation` of uid u1.
std::string InjectedConfig(int generation, const std::string& request_id_header) {
  return nlohmann::json(
             {{"monitor",
               {{"namespace", "ml"}, {"name", "fraud"}, {"uid", "u1"}, {"generation", generation}}},
              {"serving", {{"protocol", "json"}, {"requestIdHeader", request_id_header}}},
              {"sidecar", {{"sampleRate", 1}}}})
      .dump();
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// As injected: --config names the mounted ConfigMap's file, MM_MONITOR_CONFIG
// holds the config of the pod's creation. A pod admitted before the reconciler
// wrote the ConfigMap finds an empty folder (the volume is optional): it starts on
// the env var and serves the file from the kubelet's first sync on. Afterwards
// the file is newer than the env var: a file the kubelet removes (the ConfigMap
// deleted) or one holding an older generation changes nothing.
TEST(SidecarBinaryTest, StartsOnTheEnvVarWhileTheFileIsAbsentAndFollowsTheFileOnceItAppears) {
  testing::TestUpstream model([](testing::TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(testing::TestUpstream::Response(200, "text/plain", "ok"));
  });
  ConfigMapVolume volume("mm-absent", "");
  ASSERT_FALSE(std::filesystem::exists(volume.file()));
  // Checks on SIGHUP only, so each step below is one deterministic check.
  SidecarProcess sidecar("sidecar-absent", ConfigFileFlags(volume, model.port(), 0),
                         {"MM_MONITOR_CONFIG=" + InjectedConfig(1, "x-start-id")});
  ASSERT_NE(sidecar.data_port, 0) << sidecar.process.Log();
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_generation 1"));
  testing::KeepAliveClient client("127.0.0.1", sidecar.data_port);
  EXPECT_FALSE(client.Post("/infer")["x-start-id"].empty()) << "the env var's config serves";

  auto unchanged_after_sighup = [&](size_t nth) {
    sidecar.process.Signal(SIGHUP);
    return testing::WaitFor(
        [&] { return Occurrences(sidecar.process.Log(), "configuration unchanged") >= nth; },
        std::chrono::seconds(10), std::chrono::milliseconds(20));
  };
  EXPECT_TRUE(unchanged_after_sighup(1)) << "still absent: no news, no failure";
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 0"));

  volume.Write(InjectedConfig(2, "x-trace-id"));  // the kubelet's first sync
  sidecar.process.Signal(SIGHUP);
  EXPECT_TRUE(sidecar.WaitForMetric("modelmonitor_sidecar_config_generation 2"))
      << sidecar.process.Log();
  EXPECT_FALSE(client.Post("/infer")["x-trace-id"].empty()) << "the file's config serves";

  volume.Write(InjectedConfig(1, "x-old-id"));  // an older generation: not served
  EXPECT_TRUE(unchanged_after_sighup(2)) << sidecar.process.Log();
  volume.Remove();  // the ConfigMap deleted: the live config stays, not the env var's
  EXPECT_TRUE(unchanged_after_sighup(3)) << sidecar.process.Log();
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_generation 2"));
  EXPECT_TRUE(sidecar.MetricIs("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 0"));
  EXPECT_FALSE(client.Post("/infer")["x-trace-id"].empty());

  volume.Write(InjectedConfig(3, "x-third-id"));  // created again by the reconciler
  sidecar.process.Signal(SIGHUP);
  EXPECT_TRUE(sidecar.WaitForMetric("modelmonitor_sidecar_config_generation 3"));
  EXPECT_FALSE(client.Post("/infer")["x-third-id"].empty()) << "on the same connection";
  sidecar.process.Signal(SIGTERM);
  EXPECT_EQ(sidecar.process.Wait(std::chrono::seconds(10)), 0) << sidecar.process.Log();
}

// A file that is there at start and newer than the env var wins; one that is
// broken does not stop the sidecar when the env var can serve: it starts on the
// env var and the reloader refuses the file with its reason.
TEST(SidecarBinaryTest, AtStartANewerFileWinsAndABrokenOneFallsBackToTheEnvVar) {
  testing::TestUpstream model([](testing::TestUpstream::Connection& c) {
    while (c.ReadRequest()) c.Write(testing::TestUpstream::Response(200, "text/plain", "ok"));
  });
  {
    ConfigMapVolume volume("mm-newer", InjectedConfig(5, "x-file-id"));
    SidecarProcess sidecar("sidecar-newer", ConfigFileFlags(volume, model.port(), 0),
                           {"MM_MONITOR_CONFIG=" + InjectedConfig(4, "x-env-id")});
    ASSERT_NE(sidecar.data_port, 0) << sidecar.process.Log();
    testing::KeepAliveClient client("127.0.0.1", sidecar.data_port);
    EXPECT_FALSE(client.Post("/infer")["x-file-id"].empty());
  }
  {
    ConfigMapVolume volume("mm-stale", InjectedConfig(3, "x-file-id"));
    SidecarProcess sidecar("sidecar-stale", ConfigFileFlags(volume, model.port(), 0),
                           {"MM_MONITOR_CONFIG=" + InjectedConfig(4, "x-env-id")});
    ASSERT_NE(sidecar.data_port, 0) << sidecar.process.Log();
    testing::KeepAliveClient client("127.0.0.1", sidecar.data_port);
    EXPECT_FALSE(client.Post("/infer")["x-env-id"].empty()) << "a file not synced yet is older";
  }
  {
    ConfigMapVolume volume("mm-broken", R"({"serving":{"protocol":"grpc"}})");
    SidecarProcess sidecar("sidecar-broken", ConfigFileFlags(volume, model.port(), 50),
                           {"MM_MONITOR_CONFIG=" + InjectedConfig(4, "x-env-id")});
    ASSERT_NE(sidecar.data_port, 0) << sidecar.process.Log();
    EXPECT_TRUE(
        sidecar.WaitForMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 1"))
        << sidecar.process.Log();
    EXPECT_NE(sidecar.process.Log().find("spec.serving.protocol"), std::string::npos)
        << sidecar.process.Log();
    testing::KeepAliveClient client("127.0.0.1", sidecar.data_port);
    EXPECT_FALSE(client.Post("/infer")["x-env-id"].empty());
  }
}

}  // namespace
}  // namespace mm::sidecar
