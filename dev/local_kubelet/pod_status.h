#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mm::dev {

// What the local kubelet knows about one container, in the words of the pod
// status API (v1.ContainerStatus).
struct ContainerView {
  std::string name;
  std::string image;
  enum class State { kWaiting, kRunning, kTerminated } state = State::kWaiting;
  std::string
      reason;  // waiting: ContainerCreating, CrashLoopBackOff, CreateContainerConfigError...
  std::string message;      // waiting: why
  std::string started_at;   // running/terminated (RFC 3339)
  std::string finished_at;  // terminated
  int exit_code = 0;        // terminated
  int pid = 0;
  bool ready = false;
  bool sidecar = false;  // a native sidecar (init container, restartPolicy Always): Ready needs it
  int restart_count = 0;
  struct Terminated {
    int exit_code = 0;
    std::string started_at, finished_at;
  };
  std::optional<Terminated> last_terminated;
};

struct PodView {
  std::string pod_ip;
  std::string host_ip = "127.0.0.1";
  std::string start_time;
  std::vector<ContainerView> init_containers;  // spec order
  std::vector<ContainerView> containers;
  bool initialized = false;  // every regular init container completed, every sidecar started
  // When Ready last changed (RFC 3339); the conditions' lastTransitionTime.
  std::string ready_since;
  std::string initialized_since;
};

// The pod's status object: phase Running once initialized (else Pending), podIP(s),
// conditions (PodScheduled, Initialized, ContainersReady, Ready; Ready when every
// container and every native sidecar is ready, also while a sidecar restarts),
// containerStatuses, initContainerStatuses.
nlohmann::json BuildPodStatus(const PodView& pod);
bool PodReady(const PodView& pod);

}  // namespace mm::dev
