#include "operator/remediation/revision_selector.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "common/kube/json_patch.h"

namespace mm::op {
namespace {

bool ControlledBy(const nlohmann::json& rs, const std::string& uid) {
  const auto& meta = rs.value("metadata", nlohmann::json::object());
  for (const auto& ref : meta.value("ownerReferences", nlohmann::json::array())) {
    if (ref.is_object() && ref.value("kind", "") == "Deployment" && ref.value("uid", "") == uid &&
        ref.value("controller", false)) {
      return true;
    }
  }
  return false;
}

nlohmann::json WithoutHash(nlohmann::json t) {
  if (t.contains("metadata") && t["metadata"].contains("labels") &&
      t["metadata"]["labels"].is_object()) {
    t["metadata"]["labels"].erase("pod-template-hash");
  }
  return t;
}

int64_t ParseRevision(const std::string& text) {
  if (text.empty()) return 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  return end != nullptr && *end == '\0' && v > 0 ? v : 0;
}

// Every revision number `rs` has served under: its revision and its history.
std::vector<int64_t> RevisionsOf(const nlohmann::json& rs) {
  std::vector<int64_t> out;
  if (const int64_t r = RevisionOf(rs)) out.push_back(r);
  const auto& meta = rs.value("metadata", nlohmann::json::object());
  const auto annotations = meta.value("annotations", nlohmann::json::object());
  if (!annotations.is_object()) return out;
  const std::string history = annotations.value(kRevisionHistoryAnnotation, "");
  size_t start = 0;
  while (start <= history.size()) {
    size_t comma = history.find(',', start);
    if (comma == std::string::npos) comma = history.size();
    if (const int64_t r = ParseRevision(history.substr(start, comma - start))) out.push_back(r);
    start = comma + 1;
  }
  return out;
}

// The pod-template-hash that names `rs`'s pod template (the template's label,
// else the ReplicaSet's); empty when it has none.
std::string TemplateHash(const nlohmann::json& rs) {
  const nlohmann::json tmpl =
      rs.value("spec", nlohmann::json::object()).value("template", nlohmann::json::object());
  for (const nlohmann::json* meta : {&tmpl, &rs}) {
    const auto m = meta->value("metadata", nlohmann::json::object());
    const auto labels = m.value("labels", nlohmann::json::object());
    if (labels.is_object() && labels.contains("pod-template-hash") &&
        labels["pod-template-hash"].is_string()) {
      return labels["pod-template-hash"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

int64_t RevisionOf(const nlohmann::json& object) {
  const auto& meta = object.value("metadata", nlohmann::json::object());
  const auto annotations = meta.value("annotations", nlohmann::json::object());
  if (!annotations.is_object()) return 0;
  return ParseRevision(annotations.value(kRevisionAnnotation, ""));
}

RollbackPlan PlanRollback(const nlohmann::json& deployment,
                          const std::vector<nlohmann::json>& replicasets, int64_t to_revision,
                          const std::vector<int64_t>& rolled_away_from) {
  RollbackPlan plan;
  const auto& meta = deployment.value("metadata", nlohmann::json::object());
  const std::string name = meta.value("name", "");
  plan.from_revision = RevisionOf(deployment);
  if (plan.from_revision == 0) {
    plan.refusal = "NoRevisionYet";
    plan.message = "Deployment " + name + " has no " + kRevisionAnnotation +
                   " annotation yet (the deployment controller has not processed it): "
                   "nothing to roll back to";
    return plan;
  }
  if (to_revision != 0 && to_revision == plan.from_revision) {
    plan.refusal = "RevisionIsCurrent";
    plan.message = "rollback.toRevision " + std::to_string(to_revision) + " is Deployment " + name +
                   "'s current revision, the one failing";
    return plan;
  }
  const std::string uid = meta.value("uid", "");
  // The pod templates earlier rollbacks rolled away from, by hash and by content
  // (whatever number their ReplicaSet has now).
  std::set<std::string> bad_hashes;
  std::vector<nlohmann::json> bad_templates;
  for (const auto& rs : replicasets) {
    if (!ControlledBy(rs, uid)) continue;
    const std::vector<int64_t> served = RevisionsOf(rs);
    const bool bad = std::any_of(served.begin(), served.end(), [&](int64_t r) {
      return std::find(rolled_away_from.begin(), rolled_away_from.end(), r) !=
             rolled_away_from.end();
    });
    if (!bad) continue;
    if (const std::string hash = TemplateHash(rs); !hash.empty()) bad_hashes.insert(hash);
    bad_templates.push_back(WithoutHash(
        rs.value("spec", nlohmann::json::object()).value("template", nlohmann::json())));
  }
  auto rolled_away = [&](const nlohmann::json& rs) {
    const std::string hash = TemplateHash(rs);
    if (!hash.empty() && bad_hashes.count(hash) > 0) return true;
    const nlohmann::json t =
        WithoutHash(rs.value("spec", nlohmann::json::object()).value("template", nlohmann::json()));
    return std::find(bad_templates.begin(), bad_templates.end(), t) != bad_templates.end();
  };
  const nlohmann::json* best = nullptr;
  int64_t best_revision = 0;
  std::vector<int64_t> skipped;
  for (const auto& rs : replicasets) {
    if (!ControlledBy(rs, uid)) continue;
    const int64_t r = RevisionOf(rs);
    if (r == 0 || r == plan.from_revision) continue;
    if (to_revision != 0 ? r == to_revision : (r < plan.from_revision && r > best_revision)) {
      if (rolled_away(rs)) {
        skipped.push_back(r);
        if (to_revision != 0) {
          plan.refusal = "RevisionRolledAwayFrom";
          plan.message = "rollback.toRevision " + std::to_string(to_revision) + " of Deployment " +
                         name + " has the pod template an earlier rollback rolled away from";
          return plan;
        }
        continue;
      }
      best = &rs;
      best_revision = r;
    }
  }
  if (best == nullptr && !skipped.empty()) {
    std::sort(skipped.begin(), skipped.end());
    std::string list;
    for (int64_t r : skipped) list += (list.empty() ? "" : ", ") + std::to_string(r);
    plan.refusal = "NoSafeRevision";
    plan.message = "Deployment " + name + " is at revision " + std::to_string(plan.from_revision) +
                   "; its earlier revisions (" + list +
                   ") have pod templates an earlier rollback rolled away from";
    return plan;
  }
  if (best == nullptr) {
    plan.refusal = to_revision != 0 ? "RevisionNotFound" : "NoEarlierRevision";
    plan.message = to_revision != 0 ? "Deployment " + name + " has no ReplicaSet of revision " +
                                          std::to_string(to_revision) + " (rollback.toRevision)"
                                    : "Deployment " + name + " is at revision " +
                                          std::to_string(plan.from_revision) +
                                          " and keeps no earlier revision to roll back to";
    return plan;
  }
  plan.to_revision = best_revision;
  plan.replicaset = best->value("metadata", nlohmann::json::object()).value("name", "");
  plan.pod_template = WithoutHash(
      best->value("spec", nlohmann::json::object()).value("template", nlohmann::json()));
  const nlohmann::json current =
      deployment.value("spec", nlohmann::json::object()).value("template", nlohmann::json());
  if (WithoutHash(current) == plan.pod_template) {
    plan.refusal = "TemplateAlreadyMatches";
    plan.message = "Deployment " + name + "'s pod template already matches revision " +
                   std::to_string(best_revision);
  } else {
    plan.message = "Deployment " + name + " from revision " + std::to_string(plan.from_revision) +
                   " to revision " + std::to_string(best_revision) + " (ReplicaSet " +
                   plan.replicaset + ")";
  }
  return plan;
}

nlohmann::json RollbackPatch(const nlohmann::json& deployment, const RollbackPlan& plan,
                             const std::string& note) {
  const auto& meta = deployment.value("metadata", nlohmann::json::object());
  nlohmann::json patch = nlohmann::json::array();
  patch.push_back({{"op", "test"},
                   {"path", "/metadata/resourceVersion"},
                   {"value", meta.value("resourceVersion", "")}});
  patch.push_back({{"op", "replace"}, {"path", "/spec/template"}, {"value", plan.pod_template}});
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) {
    patch.push_back(
        {{"op", "add"}, {"path", "/metadata/annotations"}, {"value", nlohmann::json::object()}});
  }
  patch.push_back({{"op", "add"},
                   {"path", "/metadata/annotations/" +
                                kube::EscapeJsonPointerToken("modelmonitor.io/rollback")},
                   {"value", note}});
  return patch;
}

}  // namespace mm::op
