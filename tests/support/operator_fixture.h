#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/kube/kube_client.h"
#include "common/kube/resource_path.h"
#include "tests/support/control_plane.h"

namespace mm::testing {

// Installs the real ModelMonitor CRD (crds/modelmonitor.io_modelmonitors.yaml)
// and waits until the API serves it.
void InstallModelMonitorCrd(ControlPlane& cp);

// Makes resourceVersion "1" too old for the API server's watch cache of
// `collection` (a path), so a watch from it is answered with an ERROR event,
// code 410 (Expired). A cache reaches back to the revision it started at: for a
// CRD that is when the CRD was established, so no restart is needed; for a
// built-in resource of a fresh API server it is its first write, so this
// restarts kube-apiserver once (its new cache starts at the current revision).
void ExpireOldResourceVersions(ControlPlane& cp, const std::string& collection);

// Creates a namespace with a unique name and returns it.
std::string CreateNamespace(kube::KubeClient& client, const std::string& prefix);

// A minimal valid ModelMonitor; spec.target (required by the CRD) names the
// Deployment `target`, by default one named like the monitor.
nlohmann::json ModelMonitor(const std::string& name, const nlohmann::json& selector,
                            const std::string& target = "");
// A Deployment with no replicas (a monitor's target that exists).
nlohmann::json TargetDeployment(const std::string& name);
// A pod; `injected_by` non-empty: it carries the injection annotation of that monitor.
nlohmann::json Pod(const std::string& name, const nlohmann::json& labels,
                   const std::string& injected_by = "");

// The ModelMonitor's condition `type` ("" fields when absent).
nlohmann::json ConditionOf(const nlohmann::json& monitor, const std::string& type);

// A KubeClient that forwards to a real one and lets a test act just before a
// request goes out (e.g. write the same object first to provoke a real 409).
// Not a fake: every answer comes from the real kube-apiserver.
class InterceptingClient : public kube::KubeClient {
 public:
  explicit InterceptingClient(kube::KubeClient& real) : real_(real) {}
  // Called with (method, path) before each request; may rewrite the path.
  std::function<void(const std::string& method, std::string& path)> before;
  // Called with each answer.
  std::function<void(const std::string& method, const std::string& path,
                     const kube::ApiResponse& r)>
      after;

  kube::ApiResponse Get(const std::string& path) override;
  kube::ApiResponse Create(const std::string& path, const nlohmann::json& o) override;
  kube::ApiResponse Replace(const std::string& path, const nlohmann::json& o) override;
  kube::ApiResponse Patch(const std::string& path, const nlohmann::json& p,
                          kube::PatchType type) override;
  kube::ApiResponse Delete(const std::string& path) override;
  kube::ApiResponse Watch(const std::string& path,
                          const std::function<bool(const nlohmann::json&)>& on_event,
                          kube::WatchControl* control) override;

 private:
  std::string Before(const std::string& method, const std::string& path);
  kube::ApiResponse After(const std::string& method, const std::string& path, kube::ApiResponse r);
  kube::KubeClient& real_;
};

}  // namespace mm::testing
