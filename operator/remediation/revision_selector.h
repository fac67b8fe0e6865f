#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mm::op {

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";

// Where a rollback of a Deployment would go, decided the way `kubectl rollout
// undo` decides it: among the ReplicaSets the Deployment controls, the one with
// the highest revision below the current one (or exactly `to_revision`); its pod
// template without the `pod-template-hash` label becomes the Deployment's.
struct RollbackPlan {
  // Empty when the plan can be carried out; else a CamelCase reason
  // (NoRevisionYet, NoEarlierRevision, RevisionNotFound, RevisionIsCurrent,
  // TemplateAlreadyMatches) and a message with the numbers.
  std::string refusal;
  std::string message;
  int64_t from_revision = 0;  // the Deployment's current (failing) revision
  int64_t to_revision = 0;
  std::string replicaset;
  nlohmann::json pod_template;

  bool ok() const { return refusal.empty(); }
};

// `to_revision` 0 means the previous revision. Never plans a rollback to the
// current revision: that is the one failing.
RollbackPlan PlanRollback(const nlohmann::json& deployment,
                          const std::vector<nlohmann::json>& replicasets, int64_t to_revision);

// The JSON patch (RFC 6902) that carries `plan` out on `deployment`: it tests the
// resourceVersion the plan was made from (a concurrent change makes it fail with
// 409/422 instead of overwriting), replaces spec.template and notes the rollback
// in the annotation modelmonitor.io/rollback.
nlohmann::json RollbackPatch(const nlohmann::json& deployment, const RollbackPlan& plan,
                             const std::string& note);

// The revision annotation of a Deployment or ReplicaSet; 0 when absent or not a number.
int64_t RevisionOf(const nlohmann::json& object);

}  // namespace mm::op
