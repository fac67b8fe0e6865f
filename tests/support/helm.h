#pragma once

// Helm in integration tests: helm (built by scripts/build-helm beside the control
// plane) and kubectl against the test control plane, and a fixture that installs the
// chart's CRD once and skips, saying how to build helm, when helm is missing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/control_plane.h"

namespace mm::testing {

inline constexpr const char* kChart = "charts/modelmonitor";

std::string ShellQuote(const std::string& s);

struct ShellOutput {
  int exit_code = -1;
  std::string text;  // stdout and stderr
};
ShellOutput Shell(const std::string& command);

// $MM_HELM, else `helm` beside $MM_CONTROLPLANE (where scripts/build-helm puts it).
std::string HelmPath();

// helm against the test control plane, run in the source tree. Helm notes on stderr
// that the chart's CRD is a symlink into crds/ (on purpose); that line is dropped.
ShellOutput Helm(const std::string& args);
// The same for commands that need no cluster (helm template, lint).
ShellOutput HelmWithoutCluster(const std::string& args);

ControlPlane::CommandOutput Kubectl(const std::string& args, const std::string& stdin_text = "");

// The objects of a multi-document YAML stream (empty documents dropped).
std::vector<nlohmann::json> YamlObjects(const std::string& text);
// The first object of `kind`, or null.
nlohmann::json FindObject(const std::vector<nlohmann::json>& objects, const std::string& kind);

class HelmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;
  static bool helm_missing_;
};

}  // namespace mm::testing
