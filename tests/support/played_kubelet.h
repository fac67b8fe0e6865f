#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/kube/kube_client.h"

namespace mm::testing {

// Plays the kubelet for the pods of one namespace that match a label selector,
// the way DESIGN.md's test environment describes: for each new pod it starts a
// REAL modelmonitor-sidecar process bound to its own loopback address
// 127.0.0.N (the pod IP), in front of the upstream `upstream(pod)` names, waits
// until the sidecar serves, then patches the pod's status (Running, Ready,
// podIP). When the pod goes away (the ReplicaSet scaled it down), the sidecar is
// stopped. Pods are polled every 100 ms.
class PlayedKubelet {
 public:
  struct Options {
    std::string ns;
    std::string label_selector;  // "app=fraud"
    uint16_t data_port = 0;      // what the pod template's sidecar ports say
    uint16_t admin_port = 0;
    std::string admin_token;  // given to each sidecar as MM_ADMIN_TOKEN
    // More environment for each sidecar ("MM_MONITOR_CONFIG=...", "MM_LABEL_TOKEN=...").
    std::vector<std::string> env;
    // "127.0.0.1:<port>" of the model server this pod's sidecar forwards to.
    std::function<std::string(const nlohmann::json& pod)> upstream;
  };
  struct RunningPod {
    std::string name;
    std::string ip;
    std::string upstream;
  };

  PlayedKubelet(kube::KubeClient& client, Options options);
  ~PlayedKubelet();  // stops every sidecar

  void Start();
  void Stop();
  // The pods whose sidecar runs and whose status says Ready.
  std::vector<RunningPod> Ready() const;
  int started() const { return started_.load(); }

 private:
  struct Sidecar {
    pid_t pid = -1;
    RunningPod pod;
    std::string store_dir;  // the pod's prediction store, removed with it
  };
  void Run();
  void Sync();
  bool StartPod(const nlohmann::json& pod);
  void StopSidecar(Sidecar& s);

  kube::KubeClient& client_;
  const Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Sidecar> sidecars_;  // pod uid -> its sidecar
  std::atomic<bool> stop_{false};
  std::atomic<int> started_{0};
  std::thread thread_;
};

// The next free loopback address 127.0.0.N of this test process (N from 100 up).
std::string NextLoopbackIp();

}  // namespace mm::testing
