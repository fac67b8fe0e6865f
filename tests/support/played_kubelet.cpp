#include "tests/support/played_kubelet.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include "common/kube/resource_path.h"
#include "common/rfc3339.h"
#include "tests/support/http_call.h"
#include "tests/support/wait.h"

extern char** environ;

namespace mm::testing {
namespace {

using nlohmann::json;

std::string Now() { return FormatRfc3339(std::chrono::system_clock::now()); }

}  // namespace

std::string NextLoopbackIp() {
  static std::atomic<int> next{100};
  const int n = next++;
  return "127.0." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2);
}

PlayedKubelet::PlayedKubelet(kube::KubeClient& client, Options options)
    : client_(client), options_(std::move(options)) {}

PlayedKubelet::~PlayedKubelet() { Stop(); }

void PlayedKubelet::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void PlayedKubelet::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [uid, s] : sidecars_) StopSidecar(s);
  sidecars_.clear();
}

std::vector<PlayedKubelet::RunningPod> PlayedKubelet::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RunningPod> out;
  for (const auto& [uid, s] : sidecars_) out.push_back(s.pod);
  return out;
}

void PlayedKubelet::Run() {
  while (!stop_) {
    Sync();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the kubelet's poll period
  }
}

void PlayedKubelet::Sync() {
  kube::ResourcePath pods{"v1", "pods", options_.ns};
  pods.query["labelSelector"] = options_.label_selector;
  auto list = client_.Get(pods.Url());
  if (!list.ok()) return;
  std::set<std::string> present;
  std::vector<json> fresh;
  for (const auto& pod : list.body.value("items", json::array())) {
    const std::string uid = pod["metadata"].value("uid", "");
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    present.insert(uid);
    std::lock_guard<std::mutex> lock(mu_);
    if (!sidecars_.count(uid)) fresh.push_back(pod);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sidecars_.begin(); it != sidecars_.end();) {
      if (present.count(it->first)) {
        ++it;
        continue;
      }
      StopSidecar(it->second);
      it = sidecars_.erase(it);
    }
  }
  for (const auto& pod : fresh) {
    if (stop_) return;
    StartPod(pod);
  }
}

bool PlayedKubelet::StartPod(const json& pod) {
  const std::string name = pod["metadata"].value("name", "");
  const std::string uid = pod["metadata"].value("uid", "");
  Sidecar s;
  s.pod = {name, NextLoopbackIp(), options_.upstream(pod)};
  s.store_dir = "/tmp/mm-played-kubelet-" + options_.ns + "-" + name + "-store";
  const std::string binary = std::string(MM_BINARY_DIR) + "/sidecar/modelmonitor-sidecar";
  std::vector<std::string> args = {binary,
                                   "--listen-address=" + s.pod.ip,
                                   "--data-port=" + std::to_string(options_.data_port),
                                   "--admin-port=" + std::to_string(options_.admin_port),
                                   "--upstream=" + s.pod.upstream,
                                   "--model-revision=" + name,
                                   "--store-dir=" + s.store_dir,
                                   "--log-level=warning"};
  std::vector<std::string> env = options_.env;
  env.push_back("MM_ADMIN_TOKEN=" + options_.admin_token);
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string v = *e;
    if (v.rfind("MM_", 0) != 0) env.push_back(v);
  }
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string log = "/tmp/mm-played-kubelet-" + options_.ns + "-" + name + ".log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&s.pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << binary;
    return false;
  }
  const bool serving = WaitFor(
      [&] {
        return HttpCall(s.pod.ip, options_.admin_port, "GET", "/healthz", "", {},
                        std::chrono::milliseconds(500))
                   .status == 200;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  if (!serving) {
    ADD_FAILURE() << "sidecar of pod " << name << " on " << s.pod.ip << " never served; see "
                  << log;
    StopSidecar(s);
    return false;
  }
  const std::string now = Now();
  json ready_conditions = json::array();
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    ready_conditions.push_back({{"type", type}, {"status", "True"}, {"lastTransitionTime", now}});
  }
  json patch = {{"status",
                 {{"phase", "Running"},
                  {"hostIP", "127.0.0.1"},
                  {"podIP", s.pod.ip},
                  {"podIPs", {{{"ip", s.pod.ip}}}},
                  {"startTime", now},
                  {"conditions", ready_conditions}}}};
  auto patched = client_.Patch(kube::ResourcePath{"v1", "pods", options_.ns, name, "status"}.Url(),
                               patch, kube::PatchType::kMerge);
  if (!patched.ok()) {
    StopSidecar(s);
    return false;  // deleted meanwhile: the next Sync forgets it
  }
  std::lock_guard<std::mutex> lock(mu_);
  sidecars_[uid] = std::move(s);
  ++started_;
  return true;
}

void PlayedKubelet::StopSidecar(Sidecar& s) {
  if (s.pid <= 0) return;
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
  s.pid = -1;
  std::error_code ec;
  std::filesystem::remove_all(s.store_dir, ec);
}

}  // namespace mm::testing
