#include "operator/reconcile/sidecar_config_map.h"

#include "common/api/monitor_config_map.h"
#include "common/kube/resource_path.h"

namespace mm::op {
namespace {

using nlohmann::json;

constexpr int kAttempts = 5;

json Owner(const api::ObjectMeta& m) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kKind},
          {"name", m.name},
          {"uid", m.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

json Labels(const api::ObjectMeta& m) {
  return {{"app.kubernetes.io/name", "modelmonitor"}, {"modelmonitor.io/monitor", m.name}};
}

bool OwnedBy(const json& object, const std::string& uid) {
  const json meta = object.value("metadata", json::object());
  for (const auto& o : meta.value("ownerReferences", json::array())) {
    if (o.is_object() && o.value("uid", "") == uid) return true;
  }
  return false;
}

bool Holds(const json& object, const std::string& text) {
  const json data = object.value("data", json::object());
  const auto it = data.is_object() ? data.find(std::string(api::kSidecarConfigKey)) : data.end();
  return data.is_object() && it != data.end() && it->is_string() &&
         it->get_ref<const std::string&>() == text;
}

}  // namespace

json BuildSidecarConfigMap(const api::ObjectMeta& m, const std::string& config_text) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", api::SidecarConfigMapName(m.name)},
            {"namespace", m.namespace_name},
            {"labels", Labels(m)},
            {"ownerReferences", json::array({Owner(m)})}}},
          {"data", {{std::string(api::kSidecarConfigKey), config_text}}}};
}

Result<ConfigMapWrite> EnsureSidecarConfigMap(kube::KubeClient& client, const api::ObjectMeta& m,
                                              const std::string& config_text) {
  const std::string name = api::SidecarConfigMapName(m.name);
  const std::string where = "ConfigMap " + m.namespace_name + "/" + name;
  const std::string path = kube::ResourcePath{"v1", "configmaps", m.namespace_name, name}.Url();
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const auto got = client.Get(path);
    if (got.status == 404) {
      const auto created =
          client.Create(kube::ResourcePath{"v1", "configmaps", m.namespace_name}.Url(),
                        BuildSidecarConfigMap(m, config_text));
      if (created.ok()) return ConfigMapWrite::kCreated;
      if (created.status == 409) continue;  // created meanwhile: read it
      return Error{"cannot create " + where + ": " + created.Message()};
    }
    if (!got.ok()) return Error{"cannot read " + where + ": " + got.Message()};
    if (Holds(got.body, config_text) && OwnedBy(got.body, m.uid)) return ConfigMapWrite::kUnchanged;
    // A merge patch replaces ownerReferences whole: a ConfigMap left behind by a
    // deleted monitor of the same name is adopted, not shared with a dead owner.
    const json patch = {{"metadata",
                         {{"resourceVersion", got.body["metadata"].value("resourceVersion", "")},
                          {"labels", Labels(m)},
                          {"ownerReferences", json::array({Owner(m)})}}},
                        {"data", {{std::string(api::kSidecarConfigKey), config_text}}}};
    const auto patched = client.Patch(path, patch, kube::PatchType::kMerge);
    if (patched.ok()) return ConfigMapWrite::kUpdated;
    if (patched.status == 409 || patched.status == 404) continue;
    return Error{"cannot update " + where + ": " + patched.Message()};
  }
  return Error{where + " kept changing; gave up after " + std::to_string(kAttempts) + " attempts"};
}

Result<ConfigMapWrite> SidecarConfigMapKeeper::Ensure(kube::KubeClient& client,
                                                      const api::ObjectMeta& m,
                                                      const std::string& config_text) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = checked_.find(m.uid);
    if (it != checked_.end() && it->second.text == config_text && now - it->second.when < recheck_)
      return ConfigMapWrite::kUnchanged;
  }
  auto written = EnsureSidecarConfigMap(client, m, config_text);
  std::lock_guard<std::mutex> lock(mu_);
  if (written) {
    if (checked_.size() > 100000) checked_.clear();  // deleted monitors' entries
    checked_[m.uid] = {config_text, now};
  } else {
    checked_.erase(m.uid);
  }
  return written;
}

}  // namespace mm::op
