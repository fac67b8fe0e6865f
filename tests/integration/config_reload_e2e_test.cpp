// A ModelMonitor's spec change reaches its running injected sidecars, end to end
// against the real control plane, without restarting them and without closing
// their connections: the reconciler rewrites the monitor's ConfigMap, the
// (local) kubelet swaps the mounted file in as the real one does (..data
// symlink), and the sidecar, polling its --config file, reloads it in place.
//
// Wiring: the operator's Controller (informers, reconciler) and SidecarInjector
// (HTTPS, registered by URL) in-process with the operator's User-Agent, and
// dev/local_kubelet running the injected pod as local processes: the built
// modelmonitor-sidecar in front of Python's HTTP server as the model.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <iostream>

#include "common/api/monitor_config_map.h"
#include "common/kube/resource_path.h"
#include "dev/local_kubelet/local_kubelet.h"
#include "operator/controller.h"
#include "operator/webhook/annotations.h"
#include "operator/webhook/cached_monitor_lookup.h"
#include "operator/webhook/sidecar_injector.h"
#include "tests/support/control_plane.h"
#include "tests/support/http_call.h"
#include "tests/support/keep_alive_client.h"
#include "tests/support/namespaced_operator.h"
#include "tests/support/operator_fixture.h"
#include "tests/support/sidecar_process.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

// The model: Python's file server speaking HTTP/1.1 (keep-alive), on the pod's IP.
// The webhook's default sidecar image is what the kubelet runs the built sidecar for.
constexpr const char* kKubeletConfig = R"(
sidecar:
  imageContains: modelmonitor/sidecar
images:
- image: mm-test/http-server:*
  command: ["python3", "-m", "http.server", "-p", "HTTP/1.1", "--bind", "${POD_IP}", "${PORT}"]
)";

class ConfigReloadE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& cp = ControlPlaneEnvironment::Get();
    InstallModelMonitorCrd(cp);
    admin_ = cp.AdminClient();
    kubelet_client_ = cp.AdminClient();
    operator_client_ = cp.OperatorClient();
    ns_ = CreateNamespace(*admin_, "reload");

    const op::ControllerOptions o = NamespacedControllerOptions(ns_, "reload-" + ns_);
    controller_ = std::make_unique<op::Controller>(*operator_client_, o, &metrics_);
    controller_->Start();
    api_lookup_ = std::make_unique<webhook::ApiMonitorLookup>(*operator_client_);
    lookup_ = std::make_unique<webhook::CachedMonitorLookup>(controller_->monitors(), *api_lookup_);
    const auto w = LoopbackWebhookOptions(ns_, "mm-reload-" + ns_);
    auto started = webhook::SidecarInjector::Start(*operator_client_, *lookup_, w);
    ASSERT_TRUE(started.ok()) << started.error().message;
    injector_ = std::move(started).value();
    ASSERT_TRUE(WaitFor([&] { return controller_->Working(); }, 60s));

    state_dir_ = std::filesystem::temp_directory_path() / ("mm-reload-kubelet-" + ns_);
    auto k = FastKubeletOptions(ns_, state_dir_.string(), kKubeletConfig);
    ASSERT_TRUE(k.ok()) << k.error().message;
    k.value().volume_refresh_period = 1s;  // the real kubelet: about a minute
    kubelet_ = std::make_unique<dev::LocalKubelet>(*kubelet_client_, k.value());
    auto kubelet_started = kubelet_->Start();
    ASSERT_TRUE(kubelet_started.ok()) << kubelet_started.error().message;
  }
  void TearDown() override {
    if (kubelet_) kubelet_->Stop();
    injector_.reset();
    if (controller_) controller_->Stop();
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(state_dir_, ec);  // kept: the pod's logs
  }

  json Get(const std::string& api_version, const std::string& resource, const std::string& name) {
    auto r = admin_->Get(ResourcePath{api_version, resource, ns_, name}.Url());
    return r.ok() ? r.body : json();
  }
  int SidecarPid(const std::string& ip) {
    for (const auto& p : kubelet_->Snapshot()) {
      if (p.ip == ip && p.pids.count(webhook::kSidecarContainerName)) {
        return p.pids.at(webhook::kSidecarContainerName);
      }
    }
    return 0;
  }

  std::unique_ptr<kube::RestKubeClient> admin_, kubelet_client_, operator_client_;
  op::OperatorMetrics metrics_;
  std::unique_ptr<op::Controller> controller_;
  std::unique_ptr<webhook::ApiMonitorLookup> api_lookup_;
  std::unique_ptr<webhook::CachedMonitorLookup> lookup_;
  std::unique_ptr<webhook::SidecarInjector> injector_;
  std::unique_ptr<dev::LocalKubelet> kubelet_;
  std::filesystem::path state_dir_;
  std::string ns_;
};

TEST_F(ConfigReloadE2eTest, APatchedServingSettingReachesTheRunningSidecarOnAnOpenConnection) {
  json monitor = ModelMonitor("fraud", {{"matchLabels", {{"app", "fraud"}}}});
  monitor["spec"]["serving"] = {{"port", "http"}, {"requestIdHeader", "x-request-id"}};
  auto created =
      admin_->Create(ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_}.Url(), monitor);
  ASSERT_TRUE(created.ok()) << created.Message();
  const std::string uid = created.body["metadata"]["uid"];

  // The reconciler writes the ConfigMap, owned by the monitor, with the text the
  // webhook injects as MM_MONITOR_CONFIG.
  const std::string config_map = api::SidecarConfigMapName("fraud");
  json cm;
  ASSERT_TRUE(WaitFor(
      [&] {
        cm = Get("v1", "configmaps", config_map);
        return cm.is_object();
      },
      30s));
  EXPECT_EQ(cm["metadata"]["ownerReferences"][0]["uid"], uid);

  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "fraud-0"}, {"labels", {{"app", "fraud"}}}}},
              {"spec",
               {{"terminationGracePeriodSeconds", 3},
                {"containers",
                 {{{"name", "model"},
                   {"image", "mm-test/http-server:1"},
                   {"ports", {{{"name", "http"}, {"containerPort", 8000}}}}}}}}}};
  auto pod_created = admin_->Create(ResourcePath{"v1", "pods", ns_}.Url(), pod);
  ASSERT_TRUE(pod_created.ok()) << pod_created.Message();
  std::string env_config;
  for (const auto& c : pod_created.body["spec"]["initContainers"]) {
    if (c["name"] != webhook::kSidecarContainerName) continue;
    for (const auto& e : c["env"]) {
      if (e["name"] == webhook::kConfigEnv) env_config = e["value"];
    }
    EXPECT_EQ(c["args"].back(), "--config=" + api::SidecarConfigFile()) << c.dump(2);
  }
  ASSERT_FALSE(env_config.empty()) << pod_created.body.dump(2);
  EXPECT_EQ(cm["data"][std::string(api::kSidecarConfigKey)], env_config)
      << "one text for the env var and the ConfigMap";

  json running;
  ASSERT_TRUE(WaitFor(
      [&] {
        running = Get("v1", "pods", "fraud-0");
        return PodIsReady(running);
      },
      60s))
      << running.dump(2);
  const std::string ip = running["status"]["podIP"];
  const int pid = SidecarPid(ip);
  ASSERT_GT(pid, 0);
  const auto metrics = [&] { return HttpCall(ip, 9090, "GET", "/metrics").body; };
  EXPECT_EQ(MetricValue(metrics(), "modelmonitor_sidecar_config_generation"), 1) << metrics();

  KeepAliveClient client(ip, 8080);  // the sidecar took the port name "http"
  auto before = client.Get("/");
  ASSERT_EQ(before.result_int(), 200);
  EXPECT_FALSE(before["x-request-id"].empty());

  // The user edits the monitor: a serving setting the sidecar reloads in place.
  const auto patched_at = std::chrono::steady_clock::now();
  auto patched = admin_->Patch(
      ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", ns_, "fraud"}.Url(),
      {{"spec",
        {{"serving", {{"requestIdHeader", "x-trace-id"}}}, {"sidecar", {{"sampleRate", 0.5}}}}}},
      kube::PatchType::kMerge);
  ASSERT_TRUE(patched.ok()) << patched.Message();
  const int64_t generation = patched.body["metadata"]["generation"];
  ASSERT_TRUE(
      WaitFor([&] { return MetricValue(metrics(), "modelmonitor_sidecar_config_generation") == 2; },
              90s, 50ms))
      << metrics();
  const auto propagation = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - patched_at);
  std::cout << "monitor patched -> sidecar serving the new config: " << propagation.count()
            << " ms (kubelet volume refresh every 1 s, sidecar reads its file every 2 s)\n";
  EXPECT_EQ(MetricValue(metrics(), "modelmonitor_sidecar_config_restart_required"), 0);
  EXPECT_EQ(MetricValue(metrics(), "modelmonitor_sidecar_config_reloads_total{result=\"success\"}"),
            1);

  // The same connection, still open, is served with the new header.
  EXPECT_TRUE(client.Open()) << "the reload closed the client's connection";
  auto after = client.Get("/");
  ASSERT_EQ(after.result_int(), 200) << "the kept-alive connection broke";
  EXPECT_FALSE(after["x-trace-id"].empty()) << "the new requestIdHeader is live";
  EXPECT_TRUE(after["x-request-id"].empty());

  // Not restarted: the same process, no restart counted by the kubelet.
  EXPECT_EQ(SidecarPid(ip), pid);
  EXPECT_EQ(kill(pid, 0), 0);
  const json status = Get("v1", "pods", "fraud-0")["status"];
  EXPECT_EQ(status["initContainerStatuses"][0].value("restartCount", -1), 0) << status.dump(2);

  // The ConfigMap holds the new generation; the pod's env var still the old one.
  const json now =
      json::parse(Get("v1", "configmaps", config_map)["data"][std::string(api::kSidecarConfigKey)]
                      .get<std::string>());
  EXPECT_EQ(now["monitor"]["generation"], generation);
  EXPECT_EQ(now["serving"]["requestIdHeader"], "x-trace-id");
  EXPECT_EQ(now["sidecar"]["sampleRate"], 0.5);
  EXPECT_EQ(json::parse(env_config)["monitor"]["generation"], 1);
  // And the reconciler said so on the monitor.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto events = admin_->Get(ResourcePath{"events.k8s.io/v1", "events", ns_}.Url());
        for (const auto& e : events.body.value("items", json::array())) {
          if (e["regarding"].value("name", "") == "fraud" &&
              e.value("reason", "") == "SidecarConfigUpdated") {
            return true;
          }
        }
        return false;
      },
      30s));
}

}  // namespace
}  // namespace mm::testing
