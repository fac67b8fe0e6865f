#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kube/informer.h"
#include "common/kube/kube_client.h"
#include "common/result.h"
#include "dev/local_kubelet/container_launch.h"
#include "dev/local_kubelet/container_process.h"
#include "dev/local_kubelet/kubelet_config.h"
#include "dev/local_kubelet/pod_status.h"

namespace mm::dev {

struct LocalKubeletOptions {
  std::vector<std::string> namespaces;  // watched; at least one
  std::string node_name = "mm-local-kubelet";
  // Pod IPs are handed out from here upwards (127.0.0.0/8 is all loopback on
  // Linux), never reused while the kubelet runs.
  std::string first_address = "127.0.0.2";
  std::string state_dir;       // per-pod folders: logs/, volumes/
  std::string sidecar_binary;  // runs containers whose image is the sidecar's
  KubeletConfig config;
  std::chrono::milliseconds sync_period{500};
  // How often a running pod's configMap and secret volumes are read again and
  // swapped in when changed (the real kubelet: its sync period, about a minute,
  // plus its cache's TTL). Tests use a second or less.
  std::chrono::milliseconds volume_refresh_period{60000};
  std::chrono::milliseconds initial_backoff{1000};  // restart delays double up to max_backoff
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::seconds max_grace{10};  // SIGKILL after min(pod's grace period, this)
};

// Plays the kubelet for the pods of some namespaces, with local processes instead
// of containers (the test environment has a control plane and no container
// runtime). It registers a Node, binds each new pod of the namespaces to it, gives
// the pod its own loopback address, starts one process per container (init
// containers first; native sidecars keep running), and writes the pod's status
// through the status subresource as a kubelet does, so the ReplicaSet and
// Deployment controllers and EndpointSlices see real Running/Ready pods. Crashed
// containers restart with backoff and count restarts; a deleted pod's processes
// get SIGTERM, then SIGKILL after the grace period, and its deletion is finished.
// Secret and configMap volumes are refreshed every volume_refresh_period with the
// kubelet's atomic `..data` symlink swap, so a mounted ConfigMap changes under a
// running process as it does in a cluster.
class LocalKubelet {
 public:
  LocalKubelet(kube::KubeClient& client, LocalKubeletOptions options);
  ~LocalKubelet();  // Stop()
  LocalKubelet(const LocalKubelet&) = delete;
  LocalKubelet& operator=(const LocalKubelet&) = delete;

  Status Start();  // registers the node, starts the informers and the sync loop
  // Stops every process (SIGTERM, then SIGKILL) and the loop; leaves the pods' objects alone.
  void Stop();

  // What runs now, for tests and logs: pod key -> IP and container pids.
  struct PodProcesses {
    std::string key;
    std::string ip;
    std::map<std::string, int> pids;  // container name -> pid (running ones)
  };
  std::vector<PodProcesses> Snapshot() const;

 private:
  struct ContainerRun;
  struct PodRun;

  Status RegisterNode();
  void Loop();
  void SyncAll();
  // One pod; false when its run is over and can be forgotten.
  bool SyncPod(const std::string& key, const kube::ObjectPtr& pod);
  void StartPod(PodRun& run, const nlohmann::json& pod);
  void StepContainers(PodRun& run, const nlohmann::json& pod);
  void StepContainer(PodRun& run, ContainerRun& c, const nlohmann::json& pod, bool restart_always);
  bool StopPod(PodRun& run);  // true when every process has exited
  void WriteStatus(PodRun& run, const nlohmann::json& pod);
  void FinishDeletion(const nlohmann::json& pod);
  std::string NextAddress();
  Result<std::string> ReadKey(const std::string& ns, const std::string& resource,
                              const std::string& name, const std::string& key);

  kube::KubeClient& client_;
  const LocalKubeletOptions options_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  std::map<std::string, std::unique_ptr<PodRun>> runs_;  // loop thread only
  mutable std::mutex snapshot_mu_;
  std::vector<PodProcesses> snapshot_;
  uint32_t next_address_ = 0;

  std::mutex mu_;
  std::condition_variable wake_;
  bool dirty_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mm::dev
