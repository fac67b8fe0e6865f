#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/kube/kubeconfig.h"
#include "common/kube/rest_kube_client.h"
#include "common/result.h"

namespace mm::testing {

// A real etcd + kube-apiserver + kube-controller-manager on loopback, started as
// `mm-controlplane up` (tests/controlplane) and stopped with the test process:
// its stdin is a pipe, and the launcher shuts down when that pipe closes, also
// when this process dies.
class ControlPlane {
 public:
  struct Options {
    std::string binary;  // default: $MM_CONTROLPLANE
    bool controller_manager = true;
    std::chrono::seconds start_timeout{180};
  };

  static Result<std::unique_ptr<ControlPlane>> Start(const Options& options);
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& dir() const { return dir_; }
  kube::ClusterConfig cluster_config() const;
  std::unique_ptr<kube::RestKubeClient> AdminClient() const;
  // Admin credentials with the operator's User-Agent: for the operator's parts a
  // test runs in-process, so that the audit log counts their calls as the
  // operator's (the RBAC check, tests/rbac/).
  std::unique_ptr<kube::RestKubeClient> OperatorClient() const;

  // Sends a launcher command and waits for its answer: "restart kube-apiserver",
  // "stop kube-controller-manager", "pause etcd", "resume etcd"...
  Status Command(const std::string& command,
                 std::chrono::seconds timeout = std::chrono::seconds(180));

  // Runs kubectl (built beside the control plane) against it; returns exit code
  // and output (stdout and stderr together).
  struct CommandOutput {
    int exit_code = -1;
    std::string output;
  };
  CommandOutput Kubectl(const std::string& args, const std::string& stdin_text = "") const;
  std::string kubectl_path() const;

 private:
  ControlPlane() = default;
  Result<std::string> ReadLine(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffered_;
  std::string binary_;
  std::string dir_;
  std::string kubeconfig_;
};

// The GoogleTest environment an integration-test binary registers: one control
// plane for all its tests. Tests reach it with ControlPlaneEnvironment::Get().
class ControlPlaneEnvironment : public ::testing::Environment {
 public:
  explicit ControlPlaneEnvironment(ControlPlane::Options options = {}) : options_(options) {}
  void SetUp() override;
  void TearDown() override;
  static ControlPlane& Get();

 private:
  ControlPlane::Options options_;
};

// A fresh namespace name for one test, so tests never see each other's objects.
std::string UniqueNamespace(const std::string& prefix);

}  // namespace mm::testing
