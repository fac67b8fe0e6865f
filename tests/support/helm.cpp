#include "tests/support/helm.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/yaml_json.h"

namespace mm::testing {

using nlohmann::json;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ShellOutput Shell(const std::string& command) {
  ShellOutput out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    out.text.append(buf.data(), n);
  const int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string HelmPath() {
  if (const char* h = std::getenv("MM_HELM")) return h;
  const char* cp = std::getenv("MM_CONTROLPLANE");
  if (!cp) return "";
  return (std::filesystem::path(cp).parent_path() / "helm").string();
}

ShellOutput Helm(const std::string& args) {
  return HelmWithoutCluster("--kubeconfig " +
                            ShellQuote(ControlPlaneEnvironment::Get().kubeconfig()) + " " + args);
}

ShellOutput HelmWithoutCluster(const std::string& args) {
  auto out =
      Shell("cd " + ShellQuote(MM_SOURCE_DIR) + " && " + ShellQuote(HelmPath()) + " " + args);
  std::string kept;
  std::istringstream lines(out.text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("found symbolic link in path") == std::string::npos) kept += line + "\n";
  }
  out.text = kept;
  return out;
}

ControlPlane::CommandOutput Kubectl(const std::string& args, const std::string& stdin_text) {
  return ControlPlaneEnvironment::Get().Kubectl(args, stdin_text);
}

std::vector<json> YamlObjects(const std::string& text) {
  auto docs = ParseYamlDocuments(text);
  EXPECT_TRUE(docs.ok()) << docs.error().message;
  std::vector<json> out;
  if (!docs.ok()) return out;
  for (auto& d : docs.value()) {
    if (d.is_object()) out.push_back(std::move(d));
  }
  return out;
}

json FindObject(const std::vector<json>& docs, const std::string& kind) {
  for (const auto& d : docs) {
    if (d.value("kind", "") == kind) return d;
  }
  return json();
}

bool HelmTest::helm_missing_ = false;

void HelmTest::SetUpTestSuite() {
  helm_missing_ = !std::filesystem::exists(HelmPath());
  if (helm_missing_) return;
  auto crds = Helm(std::string("show crds ") + kChart);
  ASSERT_EQ(crds.exit_code, 0) << crds.text;
  auto applied = Kubectl("apply --server-side -f -", crds.text);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto established =
      Kubectl("wait --for condition=Established crd/modelmonitors.modelmonitor.io --timeout=60s");
  ASSERT_EQ(established.exit_code, 0) << established.output;
}

void HelmTest::SetUp() {
  if (helm_missing_) {
    GTEST_SKIP() << "helm is not built at " << HelmPath()
                 << ": run scripts/build-helm (`make test` runs it)";
  }
}

}  // namespace mm::testing
