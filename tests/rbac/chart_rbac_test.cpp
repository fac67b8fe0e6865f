// The chart's RBAC against what the operator really calls. Every integration
// test binary leaves the operator's requests, read from the API server's audit
// log by User-Agent, in $MM_API_CALLS_DIR (tests/support/api_calls.h); this test
// runs after them (ctest DEPENDS) and fails when the operator made a request
// the chart's roles do not grant, or the roles grant a verb nothing requested.
// resourceNames and the namespace of a Role are not compared here:
// helm_release_test asks the API server's authorizer about those (can-i).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/api_calls.h"
#include "tests/support/helm.h"

namespace mm::testing {
namespace {

using nlohmann::json;

constexpr const char* kServiceAccount = "modelmonitor-operator";

// Requests the chart need not grant: made only where the operator runs outside
// the cluster with the developer's credentials.
const std::map<ApiCall, std::string>& OutsideTheCluster() {
  static const std::map<ApiCall, std::string> calls = {
      {{"create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", ""},
       "development mode (--webhook-url) creates its own webhook configuration; in the cluster "
       "the chart owns it"},
  };
  return calls;
}

// Grants no request of the operator's shows: the API server checks them itself.
const std::map<ApiCall, std::string>& CheckedByAdmission() {
  static const std::map<ApiCall, std::string> calls = {
      {{"update", "modelmonitor.io", "modelmonitors", "finalizers"},
       "OwnerReferencesPermissionEnforcement checks it when a token Secret sets "
       "blockOwnerDeletion on its monitor"},
  };
  return calls;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every (verb, group, resource, subresource) the roles bound to the operator's
// ServiceAccount grant, with every value of the chart that adds a rule turned on.
Result<std::set<ApiCall>> ChartGrants() {
  const auto rendered =
      HelmWithoutCluster(std::string("template modelmonitor ") + kChart +
                         " --namespace mm-system --set prometheus.perMonitor.enabled=true");
  if (rendered.exit_code != 0) return Error{"helm template failed: " + rendered.text};
  const auto objects = YamlObjects(rendered.text);
  std::set<std::string> roles;  // "ClusterRole/name" or "Role/name"
  for (const auto& o : objects) {
    const std::string kind = o.value("kind", "");
    if (kind != "ClusterRoleBinding" && kind != "RoleBinding") continue;
    for (const auto& s : o.value("subjects", json::array())) {
      if (s.value("kind", "") == "ServiceAccount" && s.value("name", "") == kServiceAccount) {
        roles.insert(o["roleRef"].value("kind", "") + "/" + o["roleRef"].value("name", ""));
      }
    }
  }
  std::set<ApiCall> grants;
  for (const auto& o : objects) {
    const std::string kind = o.value("kind", "");
    if (!roles.count(kind + "/" + o["metadata"].value("name", ""))) continue;
    for (const auto& rule : o.value("rules", json::array())) {
      for (const auto& group : rule.value("apiGroups", json::array())) {
        for (const auto& resource : rule.value("resources", json::array())) {
          for (const auto& verb : rule.value("verbs", json::array())) {
            const std::string r = resource.get<std::string>();
            if (r == "*" || verb == "*" || group == "*") {
              return Error{kind + " " + o["metadata"].value("name", "") +
                           " grants a wildcard: " + rule.dump()};
            }
            const auto slash = r.find('/');
            grants.insert(ApiCall{verb.get<std::string>(), group.get<std::string>(),
                                  r.substr(0, slash),
                                  slash == std::string::npos ? "" : r.substr(slash + 1)});
          }
        }
      }
    }
  }
  if (grants.empty())
    return Error{"no rules bound to ServiceAccount " + std::string(kServiceAccount)};
  return grants;
}

TEST(ChartRbacTest, GrantsExactlyWhatTheOperatorRequests) {
  const std::string dir = ApiCallsDir();
  if (dir.empty() || !std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no recorded API calls: run the integration tests first (ctest -L integration)";
  }
  auto grants = ChartGrants();
  ASSERT_TRUE(grants.ok()) << grants.error().message;

  ApiCalls used;
  std::set<std::string> recorded;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tsv") continue;
    recorded.insert(entry.path().stem().string());
    for (const auto& [call, count] : ParseApiCalls(ReadFile(entry.path()))) used[call] += count;
  }
  ASSERT_FALSE(used.empty()) << "the integration tests recorded no operator requests in " << dir;

  // The exceptions must stay exceptions, or they hide nothing.
  for (const auto& [call, why] : OutsideTheCluster()) {
    EXPECT_FALSE(grants->count(call)) << call.ToString() << " is granted; drop the exception";
  }
  for (const auto& [call, why] : CheckedByAdmission()) {
    EXPECT_TRUE(grants->count(call)) << call.ToString() << " is no longer granted";
  }

  std::cout << "the operator's requests in the integration tests (" << recorded.size()
            << " binaries):\n";
  for (const auto& [call, count] : used) {
    const bool granted = grants->count(call) > 0;
    std::cout << "  " << call.ToString() << "  x" << count
              << (granted ? "" : "  (not granted: outside the cluster)") << "\n";
    if (!granted && !OutsideTheCluster().count(call)) {
      ADD_FAILURE() << "the operator requests " << call.ToString() << " (" << count
                    << " times) but charts/modelmonitor/templates/rbac.yaml does not grant it";
    }
  }

  // Unused grants are only known when every integration binary has run.
  std::set<std::string> missing;
  std::istringstream expected(
      std::getenv("MM_INTEGRATION_BINARIES") ? std::getenv("MM_INTEGRATION_BINARIES") : "");
  for (std::string name; std::getline(expected, name, ';');) {
    if (!name.empty() && !recorded.count(name)) missing.insert(name);
  }
  if (!missing.empty()) {
    GTEST_SKIP() << "not every integration test has run (" << missing.size() << " missing, e.g. "
                 << *missing.begin()
                 << "), so unused grants cannot be told; run ctest -L integration";
  }
  for (const auto& call : grants.value()) {
    if (used.count(call)) continue;
    if (auto why = CheckedByAdmission().find(call); why != CheckedByAdmission().end()) {
      std::cout << "  " << call.ToString() << ": granted for admission (" << why->second << ")\n";
      continue;
    }
    ADD_FAILURE() << "charts/modelmonitor/templates/rbac.yaml grants " << call.ToString()
                  << " but the operator never requested it in the integration tests";
  }
}

}  // namespace
}  // namespace mm::testing
