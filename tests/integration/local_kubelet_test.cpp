// The local kubelet against the real control plane: the Deployment and
// ReplicaSet controllers see its pods become Running and Ready, each pod serves
// HTTP on its own loopback address, a scale-down stops a process, crashed
// containers restart with a count, and an injected-shape pod (native sidecar,
// Secret-backed env, emptyDir) runs the real sidecar in front of the model.
#include "dev/local_kubelet/local_kubelet.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/kube/resource_path.h"
#include "dev/local_kubelet/readiness_probe.h"
#include "tests/support/control_plane.h"
#include "tests/support/deployments.h"
#include "tests/support/http_call.h"
#include "tests/support/namespaced_operator.h"
#include "tests/support/wait.h"

namespace mm::testing {
namespace {

using kube::ResourcePath;
using nlohmann::json;
using namespace std::chrono_literals;

// The model stand-in: Python's static file server, bound to the pod's IP.
constexpr const char* kConfig = R"(
images:
- image: mm-test/http-server:*
  command: ["python3", "-m", "http.server", "--bind", "${POD_IP}", "${PORT}"]
- image: mm-test/crasher:1
  command: ["sh", "-c", "echo crashing; exit 3"]
)";

json Deployment(const std::string& name, int replicas) {
  const json labels = {{"app", name}};
  return testing::Deployment(
      name, replicas,
      testing::PodTemplate(labels, testing::ModelContainer("mm-test/http-server:1", 8080),
                           json::object(), {{"terminationGracePeriodSeconds", 5}}),
      labels);
}

class LocalKubeletTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = ControlPlaneEnvironment::Get().AdminClient();
    ns_ = UniqueNamespace("kubelet");
    auto created = client_->Create(
        "/api/v1/namespaces",
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.Message();
    state_dir_ = std::filesystem::temp_directory_path() / ("mm-local-kubelet-" + ns_);
    auto o = FastKubeletOptions(ns_, state_dir_.string(), kConfig);
    ASSERT_TRUE(o.ok()) << o.error().message;
    kubelet_ = std::make_unique<dev::LocalKubelet>(*client_, o.value());
    auto started = kubelet_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void TearDown() override {
    if (kubelet_) kubelet_->Stop();
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }

  json Pods(const std::string& selector) {
    auto r =
        client_->Get(ResourcePath{"v1", "pods", ns_, "", "", {{"labelSelector", selector}}}.Url());
    return r.ok() ? r.body["items"] : json::array();
  }

  json Get(const std::string& api_version, const std::string& resource, const std::string& name) {
    auto r = client_->Get(ResourcePath{api_version, resource, ns_, name, "", {}}.Url());
    return r.ok() ? r.body : json();
  }

  std::unique_ptr<kube::RestKubeClient> client_;
  std::unique_ptr<dev::LocalKubelet> kubelet_;
  std::string ns_;
  std::filesystem::path state_dir_;
};

TEST_F(LocalKubeletTest, DeploymentPodsBecomeReadyServeAndScaleDown) {
  auto created = client_->Create(ResourcePath{"apps/v1", "deployments", ns_, "", "", {}}.Url(),
                                 Deployment("web", 2));
  ASSERT_TRUE(created.ok()) << created.Message();

  json pods;
  ASSERT_TRUE(WaitFor(
      [&] {
        pods = Pods("app=web");
        int ready = 0;
        for (const auto& p : pods) ready += PodIsReady(p) ? 1 : 0;
        return pods.size() == 2 && ready == 2;
      },
      60s))
      << pods.dump(2);
  std::set<std::string> ips;
  for (const auto& p : pods) {
    const std::string ip = p["status"]["podIP"];
    ips.insert(ip);
    EXPECT_EQ(ip.rfind("127.", 0), 0u) << ip;
    EXPECT_EQ(p["status"]["phase"], "Running");
    EXPECT_EQ(p["spec"]["nodeName"], "local-" + ns_);
    EXPECT_EQ(p["status"]["containerStatuses"][0]["ready"], true);
    EXPECT_EQ(dev::HttpGetStatus(ip, 8080, "/", 2s), 200) << "pod " << ip << " does not serve";
  }
  EXPECT_EQ(ips.size(), 2u) << "the pods share an IP";

  ASSERT_TRUE(WaitFor(
      [&] {
        return Get("apps/v1", "deployments", "web")["status"].value("availableReplicas", 0) == 2;
      },
      30s))
      << Get("apps/v1", "deployments", "web").dump(2);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Snapshot().size() == 2; }, 10s));
  std::map<std::string, int> pid_of_ip;
  for (const auto& p : kubelet_->Snapshot()) pid_of_ip[p.ip] = p.pids.at("model");

  auto scaled =
      client_->Patch(ResourcePath{"apps/v1", "deployments", ns_, "web", "scale", {}}.Url(),
                     {{"spec", {{"replicas", 1}}}}, kube::PatchType::kMerge);
  ASSERT_TRUE(scaled.ok()) << scaled.Message();
  // The removed pod's process gets SIGTERM and is gone; its object is deleted for good.
  ASSERT_TRUE(WaitFor([&] { return Pods("app=web").size() == 1; }, 30s)) << Pods("app=web").dump(2);
  ASSERT_TRUE(WaitFor([&] { return kubelet_->Snapshot().size() == 1; }, 10s));
  const std::string kept_ip = kubelet_->Snapshot()[0].ip;
  for (const auto& [ip, pid] : pid_of_ip) {
    if (ip == kept_ip) {
      EXPECT_EQ(kill(pid, 0), 0) << "the kept pod's process died";
    } else {
      EXPECT_NE(kill(pid, 0), 0) << "the removed pod's process " << pid << " still runs";
      EXPECT_EQ(dev::HttpGetStatus(ip, 8080, "/", 500ms), 0) << ip << " still serves";
    }
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        const json s = Get("apps/v1", "deployments", "web")["status"];
        return s.value("availableReplicas", 0) == 1 && s.value("replicas", 0) == 1;
      },
      30s));
}

TEST_F(LocalKubeletTest, CrashedContainersRestartWithBackoffAndACount) {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "crasher"}, {"labels", {{"app", "crasher"}}}}},
      {"spec",
       {{"containers", json::array({{{"name", "main"}, {"image", "mm-test/crasher:1"}}})}}}};
  auto created = client_->Create(ResourcePath{"v1", "pods", ns_, "", "", {}}.Url(), pod);
  ASSERT_TRUE(created.ok()) << created.Message();
  json status;
  ASSERT_TRUE(WaitFor(
      [&] {
        status = Get("v1", "pods", "crasher")["status"];
        const json cs = status.value("containerStatuses", json::array());
        // Between restarts the container is waiting out its backoff. (Like a real
        // kubelet's, a container without a readiness probe is Ready for the few
        // milliseconds it runs, so the check waits for the backoff state.)
        return !cs.empty() && cs[0].value("restartCount", 0) >= 2 &&
               cs[0].value("state", json::object()).contains("waiting");
      },
      30s))
      << status.dump(2);
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"].value("reason", ""),
            "CrashLoopBackOff");
  const json& c = status["containerStatuses"][0];
  EXPECT_EQ(c["lastState"]["terminated"]["exitCode"], 3) << c.dump(2);
  EXPECT_FALSE(PodIsReady({{"status", status}}));
  std::ifstream log(
      state_dir_ /
      (ns_ + "_crasher_" +
       Get("v1", "pods", "crasher")["metadata"]["uid"].get<std::string>().substr(0, 8)) /
      "logs" / "main.log");
  std::string first_line;
  std::getline(log, first_line);
  EXPECT_EQ(first_line, "crashing");
}

// A pod as the webhook leaves it: the sidecar as a native sidecar (init container
// with restartPolicy Always) on the model's named port, its label token from a
// Secret, its store on an emptyDir; the model on another port.
TEST_F(LocalKubeletTest, InjectedPodRunsTheSidecarInFrontOfTheModel) {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "tokens"}}},
                 {"stringData",
                  {{"label-token", "s3cret-label-token"}, {"admin-token", "s3cret-admin-token"}}}};
  ASSERT_TRUE(client_->Create(ResourcePath{"v1", "secrets", ns_, "", "", {}}.Url(), secret).ok());
  json sidecar = {
      {"name", "modelmonitor-sidecar"},
      {"image", "ghcr.io/modelmonitor/modelmonitor-sidecar:0.1.0"},
      {"restartPolicy", "Always"},
      {"args", {"--data-port=8081", "--admin-port=9090", "--upstream=127.0.0.1:8080"}},
      {"env",
       {{{"name", "MM_STORE_DIR"}, {"value", "/var/lib/modelmonitor"}},
        {{"name", "MM_LABEL_TOKEN"},
         {"valueFrom", {{"secretKeyRef", {{"name", "tokens"}, {"key", "label-token"}}}}}},
        {{"name", "MM_ADMIN_TOKEN"},
         {"valueFrom", {{"secretKeyRef", {{"name", "tokens"}, {"key", "admin-token"}}}}}},
        {{"name", "MM_POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}}},
      {"ports",
       {{{"name", "http"}, {"containerPort", 8081}},
        {{"name", "mm-admin"}, {"containerPort", 9090}}}},
      {"readinessProbe", {{"httpGet", {{"path", "/healthz"}, {"port", 9090}}}}},
      {"volumeMounts", {{{"name", "mm-store"}, {"mountPath", "/var/lib/modelmonitor"}}}}};
  json model = {{"name", "model"},
                {"image", "mm-test/http-server:1"},
                {"ports", {{{"name", "http-model"}, {"containerPort", 8080}}}}};
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "injected"}}},
              {"spec",
               {{"initContainers", {sidecar}},
                {"containers", {model}},
                {"volumes", {{{"name", "mm-store"}, {"emptyDir", json::object()}}}}}}};
  ASSERT_TRUE(client_->Create(ResourcePath{"v1", "pods", ns_, "", "", {}}.Url(), pod).ok());
  json got;
  ASSERT_TRUE(WaitFor(
      [&] {
        got = Get("v1", "pods", "injected");
        return PodIsReady(got);
      },
      60s))
      << got.dump(2);
  const std::string ip = got["status"]["podIP"];
  EXPECT_EQ(got["status"]["initContainerStatuses"][0]["ready"], true);
  // Through the sidecar's data port to the model, on the pod's own address.
  EXPECT_EQ(dev::HttpGetStatus(ip, 8081, "/", 2s), 200);
  EXPECT_EQ(dev::HttpGetStatus(ip, 9090, "/healthz", 2s), 200);
  // Both ports bind the pod's address only: on 0.0.0.0 any 127.x address would answer.
  std::string unused = FirstPodAddress();
  unused = unused.substr(0, unused.rfind('.')) + ".250";
  EXPECT_FALSE(dev::TcpOpen(unused, 9090, 200ms));
  EXPECT_FALSE(dev::TcpOpen(unused, 8081, 200ms));
  // The emptyDir is a folder of the pod: the sidecar's store lives there.
  const std::string uid = got["metadata"]["uid"];
  const auto store = state_dir_ / (ns_ + "_injected_" + uid.substr(0, 8)) / "volumes" / "mm-store";
  EXPECT_TRUE(std::filesystem::is_directory(store));
  // The Secret's token reached the sidecar: /proc/<pid>/environ of its process.
  int sidecar_pid = 0;
  for (const auto& p : kubelet_->Snapshot()) {
    if (p.ip == ip) sidecar_pid = p.pids.at("modelmonitor-sidecar");
  }
  ASSERT_GT(sidecar_pid, 0);
  std::ifstream environ("/proc/" + std::to_string(sidecar_pid) + "/environ");
  std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
  EXPECT_NE(env.find(std::string("MM_LABEL_TOKEN=s3cret-label-token") + '\0'), std::string::npos);
  EXPECT_NE(env.find("MM_STORE_DIR=" + store.string()), std::string::npos);
  EXPECT_NE(env.find("MM_POD_IP=" + ip), std::string::npos);

  // The snapshot with the admin token and with a wrong one: neither token, nor
  // the label token, reaches the sidecar's log (what `kubectl logs` shows).
  EXPECT_EQ(HttpCall(ip, 9090, "GET", "/v1/snapshot", "",
                     {{"Authorization", "Bearer s3cret-admin-token"}})
                .status,
            200);
  EXPECT_EQ(
      HttpCall(ip, 9090, "GET", "/v1/snapshot", "", {{"Authorization", "Bearer wr0ng-guess-token"}})
          .status,
      403);
  std::ifstream log_file(store.parent_path().parent_path() / "logs" / "modelmonitor-sidecar.log");
  const std::string log((std::istreambuf_iterator<char>(log_file)),
                        std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("sidecar serving"), std::string::npos) << "no sidecar log: " << log;
  EXPECT_EQ(log.find("s3cret-label-token"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret-admin-token"), std::string::npos) << log;
  EXPECT_EQ(log.find("wr0ng-guess-token"), std::string::npos) << log;
}

}  // namespace
}  // namespace mm::testing
