#include "tests/support/operator_fixture.h"

#include <fstream>
#include <sstream>

#include "tests/support/deployments.h"
#include "tests/support/wait.h"

namespace mm::testing {

using nlohmann::json;

void InstallModelMonitorCrd(ControlPlane& cp) {
  std::ifstream in(std::string(MM_SOURCE_DIR) + "/crds/modelmonitor.io_modelmonitors.yaml");
  std::stringstream yaml;
  yaml << in.rdbuf();
  auto applied = cp.Kubectl("apply -f -", yaml.str());
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto established = cp.Kubectl(
      "wait --for condition=established --timeout=60s crd/modelmonitors.modelmonitor.io");
  ASSERT_EQ(established.exit_code, 0) << established.output;
  auto client = cp.AdminClient();
  ASSERT_TRUE(
      WaitFor([&] { return client->Get("/apis/modelmonitor.io/v1alpha1/modelmonitors").ok(); },
              std::chrono::seconds(60)));
}

namespace {

bool WatchFromOneIsGone(kube::KubeClient& client, const std::string& collection) {
  bool gone = false;
  client.Watch(collection + "?watch=true&resourceVersion=1&timeoutSeconds=2", [&](const json& e) {
    gone = e.value("type", "") == "ERROR" && e["object"].value("code", 0) == 410;
    return false;  // the first event decides
  });
  return gone;
}

}  // namespace

void ExpireOldResourceVersions(ControlPlane& cp, const std::string& collection) {
  auto client = cp.AdminClient();
  if (WatchFromOneIsGone(*client, collection)) return;
  ASSERT_TRUE(cp.Command("restart kube-apiserver").ok());
  ASSERT_TRUE(WaitFor([&] { return client->Get("/readyz").ok(); }, std::chrono::seconds(60)));
  ASSERT_TRUE(
      WaitFor([&] { return WatchFromOneIsGone(*client, collection); }, std::chrono::seconds(60)));
}

std::string CreateNamespace(kube::KubeClient& client, const std::string& prefix) {
  const std::string ns = UniqueNamespace(prefix);
  auto created =
      client.Create("/api/v1/namespaces",
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  EXPECT_TRUE(created.ok()) << created.Message();
  return ns;
}

json ModelMonitor(const std::string& name, const json& selector, const std::string& target) {
  return {{"apiVersion", "modelmonitor.io/v1alpha1"},
          {"kind", "ModelMonitor"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"selector", selector},
            {"target", {{"kind", "Deployment"}, {"name", target.empty() ? name : target}}}}}};
}

json TargetDeployment(const std::string& name) {
  const json labels = {{"target", name}};
  return Deployment(name, 0, PodTemplate(labels, ModelContainer("m:1")), labels);
}

json Pod(const std::string& name, const json& labels, const std::string& injected_by) {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"labels", labels}}},
            {"spec", {{"containers", json::array({{{"name", "model"}, {"image", "model:v1"}}})}}}};
  if (!injected_by.empty()) {
    p["metadata"]["annotations"] = {{"modelmonitor.io/injected", injected_by + "@test"}};
  }
  return p;
}

json ConditionOf(const json& monitor, const std::string& type) {
  const json status = monitor.value("status", json::object());
  for (const auto& c : status.value("conditions", json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return {{"type", type}, {"status", ""}, {"reason", ""}, {"message", ""}};
}

std::string InterceptingClient::Before(const std::string& method, const std::string& path) {
  std::string p = path;
  if (before) before(method, p);
  return p;
}

kube::ApiResponse InterceptingClient::After(const std::string& method, const std::string& path,
                                            kube::ApiResponse r) {
  if (after) after(method, path, r);
  return r;
}

kube::ApiResponse InterceptingClient::Get(const std::string& path) {
  const std::string p = Before("GET", path);
  return After("GET", p, real_.Get(p));
}
kube::ApiResponse InterceptingClient::Create(const std::string& path, const json& o) {
  const std::string p = Before("POST", path);
  return After("POST", p, real_.Create(p, o));
}
kube::ApiResponse InterceptingClient::Replace(const std::string& path, const json& o) {
  const std::string p = Before("PUT", path);
  return After("PUT", p, real_.Replace(p, o));
}
kube::ApiResponse InterceptingClient::Patch(const std::string& path, const json& patch,
                                            kube::PatchType type) {
  const std::string p = Before("PATCH", path);
  return After("PATCH", p, real_.Patch(p, patch, type));
}
kube::ApiResponse InterceptingClient::Delete(const std::string& path) {
  const std::string p = Before("DELETE", path);
  return After("DELETE", p, real_.Delete(p));
}
kube::ApiResponse InterceptingClient::Watch(const std::string& path,
                                            const std::function<bool(const json&)>& on_event,
                                            kube::WatchControl* control) {
  const std::string p = Before("WATCH", path);
  return After("WATCH", p, real_.Watch(p, on_event, control));
}

}  // namespace mm::testing
