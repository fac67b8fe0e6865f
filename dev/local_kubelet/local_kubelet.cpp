#include "dev/local_kubelet/local_kubelet.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/base64.h"
#include "common/kube/resource_path.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "dev/local_kubelet/pod_volumes.h"
#include "dev/local_kubelet/readiness_probe.h"

extern char** environ;

namespace mm::dev {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string Str(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Now() { return FormatRfc3339(std::chrono::system_clock::now()); }

std::string PodPath(const std::string& ns, const std::string& name, const std::string& sub = "") {
  return kube::ResourcePath{"v1", "pods", ns, name, sub, {}}.Url();
}

}  // namespace

struct LocalKubelet::ContainerRun {
  json spec;
  bool init = false;
  bool sidecar = false;  // a native sidecar: an init container with restartPolicy Always
  std::unique_ptr<ContainerProcess> process;
  ContainerView view;
  int starts = 0;
  bool completed = false;  // a regular init container that exited 0
  bool finished = false;   // exited and will not be restarted
  Clock::time_point next_start{};
  Clock::time_point started{};
  std::chrono::milliseconds backoff{0};
  std::string last_error;  // logged once per distinct error
};

struct LocalKubelet::PodRun {
  std::string key, uid, ns, name, dir;
  PodView view;
  std::vector<ContainerRun> init, containers;
  json written;  // the last status written
  bool ready = false;
  bool volumes_ready = false;
  std::string volume_error;  // logged once per distinct error
  Clock::time_point volumes_refreshed{};
  bool stopping = false;
  bool sidecars_stopping = false;
  Clock::time_point kill_at{};
};

LocalKubelet::LocalKubelet(kube::KubeClient& client, LocalKubeletOptions options)
    : client_(client), options_(std::move(options)) {
  in_addr a{};
  if (inet_pton(AF_INET, options_.first_address.c_str(), &a) == 1) next_address_ = ntohl(a.s_addr);
}

LocalKubelet::~LocalKubelet() { Stop(); }

Status LocalKubelet::Start() {
  if (options_.namespaces.empty()) return Error{"no namespace to watch (give at least one)"};
  if (next_address_ == 0) {
    return Error{"first address \"" + options_.first_address + "\" is not an IPv4 address"};
  }
  if ((next_address_ >> 24) != 127) {
    return Error{"first address " + options_.first_address +
                 " is not a loopback address (use 127.x.y.z)"};
  }
  if (options_.state_dir.empty()) return Error{"no state folder for pod logs and volumes"};
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  if (ec) return Error{"cannot create " + options_.state_dir + ": " + ec.message()};
  if (auto s = RegisterNode(); !s) return s;
  for (const auto& ns : options_.namespaces) {
    kube::InformerOptions io;
    io.collection = kube::ResourcePath{"v1", "pods", ns, "", "", {}};
    auto informer = std::make_unique<kube::Informer>(client_, "pods/" + ns, io);
    informer->AddHandler([this](const kube::InformerEvent&) {
      std::lock_guard lock(mu_);
      dirty_ = true;
      wake_.notify_one();
    });
    informer->Start();
    informers_.push_back(std::move(informer));
  }
  for (const auto& informer : informers_) {
    if (!informer->WaitForSync(std::chrono::seconds(30))) {
      return Error{"the pod informer " + informer->name() + " did not sync in 30 s"};
    }
  }
  thread_ = std::thread([this] { Loop(); });
  log::Info("local kubelet started", {{"node", options_.node_name},
                                      {"namespaces", options_.namespaces},
                                      {"first_address", options_.first_address}});
  return OkStatus();
}

void LocalKubelet::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  for (auto& informer : informers_) informer->Stop();
  // Every pod's processes: SIGTERM, then SIGKILL at the deadline.
  const auto deadline = Clock::now() + options_.max_grace + std::chrono::seconds(1);
  while (!runs_.empty() && Clock::now() < deadline) {
    for (auto it = runs_.begin(); it != runs_.end();) {
      it = StopPod(*it->second) ? runs_.erase(it) : std::next(it);
    }
    if (!runs_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  runs_.clear();  // the processes' destructors kill what is left
  std::lock_guard lock(snapshot_mu_);
  snapshot_.clear();
}

std::vector<LocalKubelet::PodProcesses> LocalKubelet::Snapshot() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

Status LocalKubelet::RegisterNode() {
  const std::string path = kube::ResourcePath{"v1", "nodes", "", options_.node_name, "", {}}.Url();
  auto got = client_.Get(path);
  if (got.status == 404) {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata",
                  {{"name", options_.node_name},
                   {"labels",
                    {{"kubernetes.io/hostname", options_.node_name},
                     {"kubernetes.io/os", "linux"},
                     {"modelmonitor.io/local-kubelet", "true"}}}}}};
    got = client_.Create(kube::ResourcePath{"v1", "nodes", "", "", "", {}}.Url(), node);
    if (!got.ok() && got.status != 409) {
      return Error{"cannot register node " + options_.node_name + ": " + got.Message()};
    }
  } else if (!got.ok()) {
    return Error{"cannot read node " + options_.node_name + ": " + got.Message()};
  }
  const std::string now = Now();
  json status = {
      {"status",
       {{"conditions", json::array({{{"type", "Ready"},
                                     {"status", "True"},
                                     {"reason", "KubeletReady"},
                                     {"message", "mm-local-kubelet runs pods as local processes"},
                                     {"lastHeartbeatTime", now},
                                     {"lastTransitionTime", now}}})},
        {"addresses", json::array({{{"type", "InternalIP"}, {"address", "127.0.0.1"}},
                                   {{"type", "Hostname"}, {"address", options_.node_name}}})},
        {"capacity", {{"pods", "1000"}, {"cpu", "16"}, {"memory", "64Gi"}}},
        {"allocatable", {{"pods", "1000"}, {"cpu", "16"}, {"memory", "64Gi"}}}}}};
  auto patched = client_.Patch(path + "/status", status, kube::PatchType::kMerge);
  if (!patched.ok()) {
    return Error{"cannot write node " + options_.node_name + " status: " + patched.Message()};
  }
  return OkStatus();
}

void LocalKubelet::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.sync_period, [this] { return stop_ || dirty_; });
      if (stop_) return;
      dirty_ = false;
    }
    SyncAll();
  }
}

void LocalKubelet::SyncAll() {
  std::map<std::string, kube::ObjectPtr> pods;
  for (const auto& informer : informers_) {
    for (auto& p : informer->List()) pods[kube::Informer::KeyOf(*p)] = p;
  }
  std::set<std::string> keys;
  for (const auto& [k, _] : pods) keys.insert(k);
  for (const auto& [k, _] : runs_) keys.insert(k);
  for (const auto& key : keys) {
    auto it = pods.find(key);
    if (!SyncPod(key, it != pods.end() ? it->second : nullptr)) runs_.erase(key);
  }
  std::vector<PodProcesses> snapshot;
  for (const auto& [key, run] : runs_) {
    PodProcesses p{key, run->view.pod_ip, {}};
    for (auto* list : {&run->init, &run->containers}) {
      for (const auto& c : *list) {
        if (c.process && !c.process->exited()) p.pids[c.view.name] = c.process->pid();
      }
    }
    snapshot.push_back(std::move(p));
  }
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(snapshot);
}

bool LocalKubelet::SyncPod(const std::string& key, const kube::ObjectPtr& pod) {
  auto it = runs_.find(key);
  PodRun* run = it != runs_.end() ? it->second.get() : nullptr;
  const json& meta = pod ? pod->value("metadata", json::object()) : json::object();
  if (!pod || (run && run->uid != Str(meta, "uid"))) {
    if (!run) return false;
    const bool stopped = StopPod(*run);
    if (stopped) log::Info("pod stopped", {{"pod", key}, {"ip", run->view.pod_ip}});
    return !stopped;
  }
  const json& spec = pod->value("spec", json::object());
  const std::string node = Str(spec, "nodeName");
  if (meta.contains("deletionTimestamp")) {
    if (run && !StopPod(*run)) return true;
    if (node == options_.node_name) FinishDeletion(*pod);
    return false;
  }
  if (node.empty()) {  // no scheduler runs here: bind the pod to this node
    json binding = {
        {"apiVersion", "v1"},
        {"kind", "Binding"},
        {"metadata", {{"name", Str(meta, "name")}, {"uid", Str(meta, "uid")}}},
        {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", options_.node_name}}}};
    auto bound =
        client_.Create(PodPath(Str(meta, "namespace"), Str(meta, "name"), "binding"), binding);
    if (!bound.ok() && bound.status != 409) {
      log::Warning("cannot bind pod", {{"pod", key}, {"error", bound.Message()}});
    }
    return run != nullptr;  // it starts when the bound pod comes back through the watch
  }
  if (node != options_.node_name) return run != nullptr;
  const std::string phase = Str(pod->value("status", json::object()), "phase");
  if (!run && (phase == "Succeeded" || phase == "Failed")) return false;
  if (!run) {
    auto fresh = std::make_unique<PodRun>();
    run = fresh.get();
    runs_[key] = std::move(fresh);
    StartPod(*run, *pod);
  }
  StepContainers(*run, *pod);
  WriteStatus(*run, *pod);
  return true;
}

void LocalKubelet::StartPod(PodRun& run, const json& pod) {
  const json& meta = pod["metadata"];
  run.key = kube::Informer::KeyOf(pod);
  run.uid = Str(meta, "uid");
  run.ns = Str(meta, "namespace");
  run.name = Str(meta, "name");
  run.dir = options_.state_dir + "/" + run.ns + "_" + run.name + "_" + run.uid.substr(0, 8);
  run.view.pod_ip = NextAddress();
  run.view.start_time = Now();
  std::error_code ec;
  std::filesystem::create_directories(run.dir + "/logs", ec);
  const json& spec = pod["spec"];
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list]) {
      ContainerRun r;
      r.spec = c;
      r.init = std::string(list) == "initContainers";
      r.sidecar = r.init && Str(c, "restartPolicy") == "Always";
      r.view.sidecar = r.sidecar;
      r.view.name = Str(c, "name");
      r.view.image = Str(c, "image");
      r.view.reason = r.init ? "PodInitializing" : "ContainerCreating";
      (r.init ? run.init : run.containers).push_back(std::move(r));
    }
  }
  log::Info("pod admitted", {{"pod", run.key}, {"ip", run.view.pod_ip}, {"dir", run.dir}});
}

void LocalKubelet::StepContainers(PodRun& run, const json& pod) {
  if (!run.volumes_ready) {
    auto populated = PopulateVolumes(client_, pod, run.dir);
    if (!populated) {
      if (populated.error().message != run.volume_error) {
        log::Warning("cannot prepare volumes",
                     {{"pod", run.key}, {"error", populated.error().message}});
        run.volume_error = populated.error().message;
      }
      for (auto* list : {&run.init, &run.containers}) {
        for (auto& c : *list) {
          c.view.reason = "CreateContainerConfigError";
          c.view.message = populated.error().message;
        }
      }
      return;
    }
    run.volumes_ready = true;
    run.volumes_refreshed = Clock::now();
  } else if (Clock::now() - run.volumes_refreshed >= options_.volume_refresh_period) {
    run.volumes_refreshed = Clock::now();
    auto refreshed = RefreshVolumes(client_, pod, run.dir);
    for (const auto& volume : refreshed.changed) {
      log::Info("volume updated", {{"pod", run.key}, {"volume", volume}});
    }
    std::string errors;
    for (const auto& e : refreshed.errors) errors += (errors.empty() ? "" : "; ") + e;
    if (!errors.empty() && errors != run.volume_error) {
      log::Warning("cannot refresh volumes; they keep their files",
                   {{"pod", run.key}, {"error", errors}});
    }
    run.volume_error = errors;
  }
  const std::string policy = Str(pod["spec"], "restartPolicy");
  const bool restart_always = policy.empty() || policy == "Always";
  bool init_done = true;
  for (auto& c : run.init) {
    if (!init_done) break;
    if (c.sidecar) {
      StepContainer(run, c, pod, true);
      init_done = c.view.state == ContainerView::State::kRunning;
    } else {
      if (!c.completed) StepContainer(run, c, pod, policy != "Never");
      init_done = c.completed;
    }
  }
  if (init_done && !run.view.initialized) {
    run.view.initialized = true;
    run.view.initialized_since = Now();
  }
  if (run.view.initialized) {
    for (auto& c : run.containers) StepContainer(run, c, pod, restart_always);
  }
  for (auto* list : {&run.init, &run.containers}) {
    for (auto& c : *list) {
      c.view.ready =
          c.view.state == ContainerView::State::kRunning && ContainerReady(c.spec, run.view.pod_ip);
    }
  }
}

void LocalKubelet::StepContainer(PodRun& run, ContainerRun& c, const json& pod,
                                 bool restart_always) {
  const auto now = Clock::now();
  if (c.process) {
    auto code = c.process->Poll();
    if (!code) return;  // running
    const std::string finished = Now();
    c.view.last_terminated = ContainerView::Terminated{*code, c.view.started_at, finished};
    c.view.state = ContainerView::State::kTerminated;
    c.view.exit_code = *code;
    c.view.finished_at = finished;
    c.view.pid = 0;
    c.process.reset();
    log::Info("container exited",
              {{"pod", run.key}, {"container", c.view.name}, {"exit_code", *code}});
    if (c.init && !c.sidecar && *code == 0) {
      c.completed = true;
      return;
    }
    // OnFailure restarts failures only; a clean exit there is final.
    const bool restart = restart_always || (*code != 0 && !run.stopping);
    if (!restart || run.stopping) {
      c.finished = true;
      return;
    }
    // Backoff doubles per crash and starts over after a run of 10 backoff maxima.
    if (now - c.started > 10 * options_.max_backoff) c.backoff = std::chrono::milliseconds(0);
    c.backoff = c.backoff.count() == 0 ? options_.initial_backoff
                                       : std::min(2 * c.backoff, options_.max_backoff);
    c.next_start = now + c.backoff;
    c.view.state = ContainerView::State::kWaiting;
    c.view.reason = "CrashLoopBackOff";
    c.view.message = "back-off " + std::to_string(c.backoff.count()) +
                     "ms restarting failed container " + c.view.name;
  }
  if (c.completed || c.finished || now < c.next_start) return;
  PodContext ctx;
  ctx.pod_ip = run.view.pod_ip;
  ctx.node_name = options_.node_name;
  ctx.pod_dir = run.dir;
  ctx.sidecar_binary = options_.sidecar_binary;
  ctx.secret = [&](const std::string& name, const std::string& key) {
    return ReadKey(run.ns, "secrets", name, key);
  };
  ctx.config_map = [&](const std::string& name, const std::string& key) {
    return ReadKey(run.ns, "configmaps", name, key);
  };
  for (char** e = environ; e && *e; ++e) ctx.base_env.emplace_back(*e);
  auto launch = BuildLaunch(pod, c.spec, options_.config, ctx);
  Result<std::unique_ptr<ContainerProcess>> process =
      launch ? ContainerProcess::Start(*launch)
             : Result<std::unique_ptr<ContainerProcess>>(launch.error());
  if (!process) {
    const std::string error = process.error().message;
    if (error != c.last_error) {
      log::Warning("cannot start container",
                   {{"pod", run.key}, {"container", c.view.name}, {"error", error}});
      c.last_error = error;
    }
    c.view.state = ContainerView::State::kWaiting;
    c.view.reason = launch ? "RunContainerError" : "CreateContainerConfigError";
    c.view.message = error;
    c.next_start = now + options_.initial_backoff;
    return;
  }
  c.last_error.clear();
  c.process = std::move(process.value());
  if (c.starts++ > 0) ++c.view.restart_count;
  c.started = now;
  c.view.state = ContainerView::State::kRunning;
  c.view.reason.clear();
  c.view.message.clear();
  c.view.started_at = Now();
  c.view.pid = c.process->pid();
  log::Info("container started", {{"pod", run.key},
                                  {"container", c.view.name},
                                  {"pid", c.view.pid},
                                  {"command", launch->argv},
                                  {"log", launch->log_file}});
}

bool LocalKubelet::StopPod(PodRun& run) {
  const auto now = Clock::now();
  if (!run.stopping) {
    run.stopping = true;
    run.kill_at = now + options_.max_grace;
    for (auto& c : run.containers) {
      if (c.process) c.process->Terminate();
    }
  }
  bool mains_done = true;
  for (auto& c : run.containers) {
    if (c.process && !c.process->Poll()) mains_done = false;
  }
  // Native sidecars stop after the containers they serve, as the kubelet does.
  if (mains_done && !run.sidecars_stopping) {
    run.sidecars_stopping = true;
    for (auto& c : run.init) {
      if (c.process) c.process->Terminate();
    }
  }
  bool all_done = true;
  for (auto* list : {&run.init, &run.containers}) {
    for (auto& c : *list) {
      if (!c.process || c.process->Poll()) continue;
      if (now >= run.kill_at) c.process->Kill();
      all_done = false;
    }
  }
  return all_done;
}

void LocalKubelet::WriteStatus(PodRun& run, const json& pod) {
  run.view.init_containers.clear();
  run.view.containers.clear();
  for (const auto& c : run.init) run.view.init_containers.push_back(c.view);
  for (const auto& c : run.containers) run.view.containers.push_back(c.view);
  const bool ready = PodReady(run.view);
  if (ready != run.ready || run.view.ready_since.empty()) {
    run.ready = ready;
    run.view.ready_since = Now();
  }
  json status = BuildPodStatus(run.view);
  if (status == run.written) return;
  const json& meta = pod["metadata"];
  auto r = client_.Patch(PodPath(Str(meta, "namespace"), Str(meta, "name"), "status"),
                         {{"status", status}}, kube::PatchType::kMerge);
  if (r.ok()) {
    run.written = std::move(status);
  } else if (r.status != 404) {
    log::Warning("cannot write pod status", {{"pod", run.key}, {"error", r.Message()}});
  }
}

void LocalKubelet::FinishDeletion(const json& pod) {
  const json& meta = pod["metadata"];
  auto r =
      client_.Delete(PodPath(Str(meta, "namespace"), Str(meta, "name")) + "?gracePeriodSeconds=0");
  if (!r.ok() && r.status != 404) {
    log::Warning("cannot finish pod deletion",
                 {{"pod", kube::Informer::KeyOf(pod)}, {"error", r.Message()}});
  }
}

std::string LocalKubelet::NextAddress() {
  while ((next_address_ & 0xff) == 0 || (next_address_ & 0xff) == 255) ++next_address_;
  in_addr a{};
  a.s_addr = htonl(next_address_++);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return buf;
}

Result<std::string> LocalKubelet::ReadKey(const std::string& ns, const std::string& resource,
                                          const std::string& name, const std::string& key) {
  const char* kind = resource == "secrets" ? "Secret" : "ConfigMap";
  auto got = client_.Get(kube::ResourcePath{"v1", resource, ns, name, "", {}}.Url());
  if (!got.ok()) return Error{std::string(kind) + " " + ns + "/" + name + ": " + got.Message()};
  const json& data = got.body.value("data", json::object());
  if (!data.contains(key) || !data[key].is_string()) {
    return Error{std::string(kind) + " " + ns + "/" + name + " has no key \"" + key + "\""};
  }
  if (resource != "secrets") return data[key].get<std::string>();
  auto decoded = Base64Decode(data[key].get<std::string>());
  if (!decoded) return Error{"Secret " + ns + "/" + name + " key " + key + ": not base64"};
  return decoded;
}

}  // namespace mm::dev
