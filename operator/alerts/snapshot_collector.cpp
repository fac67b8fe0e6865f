#include "operator/alerts/snapshot_collector.h"

#include <atomic>
#include <thread>
#include <variant>

#include "operator/webhook/annotations.h"

namespace mm::op {
namespace {

constexpr const char* kAdminPortName = "mm-admin";  // operator/webhook/sidecar_patch.cpp

const nlohmann::json* SidecarContainer(const nlohmann::json& pod) {
  const auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return nullptr;
  for (const char* list : {"initContainers", "containers"}) {
    const auto cs = spec->find(list);
    if (cs == spec->end() || !cs->is_array()) continue;
    for (const auto& c : *cs) {
      if (c.is_object() && c.value("name", "") == webhook::kSidecarContainerName) return &c;
    }
  }
  return nullptr;
}

bool PodReady(const nlohmann::json& pod) {
  const auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return false;
  if (status->value("phase", "") != "Running") return false;
  for (const auto& c : status->value("conditions", nlohmann::json::array())) {
    if (c.is_object() && c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace

bool HasSidecar(const nlohmann::json& pod) { return SidecarContainer(pod) != nullptr; }

std::optional<SidecarEndpoint> ReadySidecarEndpoint(const nlohmann::json& pod) {
  const nlohmann::json* c = SidecarContainer(pod);
  if (c == nullptr || !PodReady(pod)) return std::nullopt;
  const std::string ip = pod["status"].value("podIP", "");
  if (ip.empty()) return std::nullopt;
  for (const auto& p : c->value("ports", nlohmann::json::array())) {
    if (!p.is_object() || p.value("name", "") != kAdminPortName) continue;
    const auto port = p.find("containerPort");
    if (port == p.end() || !port->is_number_integer()) return std::nullopt;
    const int64_t n = port->get<int64_t>();
    if (n < 1 || n > 65535) return std::nullopt;
    return SidecarEndpoint{pod["metadata"].value("name", ""), ip, static_cast<uint16_t>(n)};
  }
  return std::nullopt;
}

Collection SnapshotCollector::Collect(const std::vector<SidecarEndpoint>& endpoints,
                                      int64_t since_unix, const std::string& bearer_token) {
  std::vector<std::variant<PodSnapshot, PodFailure>> results(endpoints.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < endpoints.size(); i = next++) {
      const SidecarEndpoint& e = endpoints[i];
      auto body = fetcher_.Fetch(e, since_unix, bearer_token);
      if (!body) {
        results[i] = PodFailure{e.pod, body.error().message};
        continue;
      }
      auto snapshot = sidecar::Snapshot::FromJson(*body);
      if (!snapshot) {
        results[i] = PodFailure{e.pod, snapshot.error().message};
        continue;
      }
      PodSnapshot ps{e.pod, std::move(snapshot.value()), std::nullopt};
      if (body->contains("accuracy")) {
        auto accuracy = sidecar::AccuracySnapshotFromJson((*body)["accuracy"]);
        if (!accuracy) {
          results[i] = PodFailure{e.pod, "accuracy: " + accuracy.error().message};
          continue;
        }
        ps.accuracy = std::move(accuracy.value());
      }
      results[i] = std::move(ps);
    }
  };
  const size_t threads = std::min(endpoints.size(), static_cast<size_t>(concurrency_));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  Collection out;
  for (auto& r : results) {
    if (auto* s = std::get_if<PodSnapshot>(&r)) {
      out.snapshots.push_back(std::move(*s));
    } else {
      out.failed.push_back(std::move(std::get<PodFailure>(r)));
    }
  }
  return out;
}

}  // namespace mm::op
