#include "dev/local_kubelet/pod_status.h"

#include <ctime>

namespace mm::dev {
namespace {

using nlohmann::json;

json ContainerStatus(const ContainerView& c) {
  json state;
  switch (c.state) {
    case ContainerView::State::kWaiting:
      state["waiting"] = {{"reason", c.reason}};
      if (!c.message.empty()) state["waiting"]["message"] = c.message;
      break;
    case ContainerView::State::kRunning:
      state["running"] = {{"startedAt", c.started_at}};
      break;
    case ContainerView::State::kTerminated:
      state["terminated"] = {{"exitCode", c.exit_code},
                             {"reason", c.exit_code == 0 ? "Completed" : "Error"},
                             {"startedAt", c.started_at},
                             {"finishedAt", c.finished_at}};
      break;
  }
  json s = {{"name", c.name},
            {"image", c.image},
            {"imageID", ""},
            {"ready", c.ready},
            {"started", c.state == ContainerView::State::kRunning},
            {"restartCount", c.restart_count},
            {"state", state},
            {"lastState", json::object()}};
  if (c.pid > 0) s["containerID"] = "local://" + std::to_string(c.pid);
  if (c.last_terminated) {
    s["lastState"] = {{"terminated",
                       {{"exitCode", c.last_terminated->exit_code},
                        {"reason", c.last_terminated->exit_code == 0 ? "Completed" : "Error"},
                        {"startedAt", c.last_terminated->started_at},
                        {"finishedAt", c.last_terminated->finished_at}}}};
  }
  return s;
}

json Condition(const char* type, bool status, const std::string& since,
               const std::string& reason = "") {
  json c = {{"type", type}, {"status", status ? "True" : "False"}, {"lastProbeTime", nullptr}};
  if (!since.empty()) c["lastTransitionTime"] = since;
  if (!status && !reason.empty()) c["reason"] = reason;
  return c;
}

}  // namespace

namespace {

bool ContainersReady(const PodView& pod) {
  bool ready = pod.initialized && !pod.containers.empty();
  for (const auto& c : pod.containers) ready = ready && c.ready;
  return ready;
}

}  // namespace

bool PodReady(const PodView& pod) {
  bool ready = ContainersReady(pod);
  for (const auto& c : pod.init_containers) ready = ready && (!c.sidecar || c.ready);
  return ready;
}

json BuildPodStatus(const PodView& pod) {
  const bool containers_ready = ContainersReady(pod);
  const bool ready = PodReady(pod);
  json status = {{"phase", pod.initialized ? "Running" : "Pending"}, {"hostIP", pod.host_ip},
                 {"hostIPs", json::array({{{"ip", pod.host_ip}}})},  {"podIP", pod.pod_ip},
                 {"podIPs", json::array({{{"ip", pod.pod_ip}}})},    {"startTime", pod.start_time}};
  status["conditions"] = json::array(
      {Condition("PodScheduled", true, pod.start_time),
       Condition("Initialized", pod.initialized, pod.initialized_since, "ContainersNotInitialized"),
       Condition("ContainersReady", containers_ready, pod.ready_since, "ContainersNotReady"),
       Condition("Ready", ready, pod.ready_since, "ContainersNotReady")});
  status["containerStatuses"] = json::array();
  for (const auto& c : pod.containers) status["containerStatuses"].push_back(ContainerStatus(c));
  if (!pod.init_containers.empty()) {
    status["initContainerStatuses"] = json::array();
    for (const auto& c : pod.init_containers) {
      status["initContainerStatuses"].push_back(ContainerStatus(c));
    }
  }
  return status;
}

}  // namespace mm::dev
