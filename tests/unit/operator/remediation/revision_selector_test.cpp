// Choosing where a rollback goes, the way `kubectl rollout undo` does.
#include "operator/remediation/revision_selector.h"

#include <gtest/gtest.h>

namespace mm::op {
namespace {

using nlohmann::json;

json Template(const std::string& image, const std::string& hash = "") {
  json t = {{"metadata", {{"labels", {{"app", "fraud"}}}}},
            {"spec", {{"containers", {{{"name", "model"}, {"image", image}}}}}}};
  if (!hash.empty()) t["metadata"]["labels"]["pod-template-hash"] = hash;
  return t;
}

json Deployment(int revision, const std::string& image) {
  json d = {{"metadata",
             {{"name", "fraud"},
              {"uid", "dep-uid"},
              {"resourceVersion", "42"},
              {"annotations", json::object()}}},
            {"spec", {{"template", Template(image)}}}};
  if (revision > 0) d["metadata"]["annotations"][kRevisionAnnotation] = std::to_string(revision);
  return d;
}

json ReplicaSet(const std::string& name, int revision, const std::string& image,
                const std::string& owner_uid = "dep-uid") {
  return {
      {"metadata",
       {{"name", name},
        {"annotations", {{kRevisionAnnotation, std::to_string(revision)}}},
        {"ownerReferences", {{{"kind", "Deployment"}, {"uid", owner_uid}, {"controller", true}}}}}},
      {"spec", {{"template", Template(image, name.substr(name.size() - 4))}}}};
}

TEST(RevisionSelectorTest, PreviousRevisionWithoutThePodTemplateHash) {
  std::vector<json> rs = {ReplicaSet("fraud-aaaa", 1, "m:1"), ReplicaSet("fraud-bbbb", 2, "m:2"),
                          ReplicaSet("fraud-cccc", 3, "m:3"),
                          ReplicaSet("other-dddd", 2, "x", "someone-else")};
  RollbackPlan plan = PlanRollback(Deployment(3, "m:3"), rs, 0);
  ASSERT_TRUE(plan.ok()) << plan.message;
  EXPECT_EQ(plan.from_revision, 3);
  EXPECT_EQ(plan.to_revision, 2);
  EXPECT_EQ(plan.replicaset, "fraud-bbbb");
  EXPECT_EQ(plan.pod_template, Template("m:2")) << "pod-template-hash removed";
  EXPECT_EQ(plan.message, "Deployment fraud from revision 3 to revision 2 (ReplicaSet fraud-bbbb)");

  plan = PlanRollback(Deployment(3, "m:3"), rs, 1);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.to_revision, 1);
  EXPECT_EQ(plan.pod_template, Template("m:1"));
}

TEST(RevisionSelectorTest, NeverTheFailingRevisionAndSaysWhyNot) {
  std::vector<json> only = {ReplicaSet("fraud-aaaa", 1, "m:1")};
  RollbackPlan plan = PlanRollback(Deployment(1, "m:1"), only, 0);
  EXPECT_EQ(plan.refusal, "NoEarlierRevision");
  EXPECT_EQ(plan.message,
            "Deployment fraud is at revision 1 and keeps no earlier revision to roll back to");

  std::vector<json> two = {ReplicaSet("fraud-aaaa", 1, "m:1"), ReplicaSet("fraud-bbbb", 2, "m:2")};
  EXPECT_EQ(PlanRollback(Deployment(2, "m:2"), two, 2).refusal, "RevisionIsCurrent");
  EXPECT_EQ(PlanRollback(Deployment(2, "m:2"), two, 7).refusal, "RevisionNotFound");
  EXPECT_EQ(PlanRollback(Deployment(0, "m:2"), two, 0).refusal, "NoRevisionYet");
  // An earlier ReplicaSet whose template is the current one: nothing would change.
  EXPECT_EQ(PlanRollback(Deployment(2, "m:1"), two, 0).refusal, "TemplateAlreadyMatches");
}

// After a rollback 2 -> 1 the deployment controller serves revision 1's
// ReplicaSet as revision 3 (revision-history "1"): the next rollback must not
// pick revision 2, the one the first rollback rolled away from.
TEST(RevisionSelectorTest, NeverBackToATemplateAnEarlierRollbackRolledAwayFrom) {
  json renumbered = ReplicaSet("fraud-aaaa", 3, "m:1");
  renumbered["metadata"]["annotations"][kRevisionHistoryAnnotation] = "1";
  std::vector<json> rs = {renumbered, ReplicaSet("fraud-bbbb", 2, "m:2")};
  RollbackPlan plan = PlanRollback(Deployment(3, "m:1"), rs, 0, {2});
  EXPECT_EQ(plan.refusal, "NoSafeRevision");
  EXPECT_EQ(plan.message,
            "Deployment fraud is at revision 3; its earlier revisions (2) have pod templates an "
            "earlier rollback rolled away from");
  EXPECT_EQ(PlanRollback(Deployment(3, "m:1"), rs, 2, {2}).refusal, "RevisionRolledAwayFrom");
  EXPECT_TRUE(PlanRollback(Deployment(3, "m:1"), rs, 0, {}).ok()) << "no history: plain undo";

  // Revisions 1..3, a rollback 3 -> 2 made revision 2 revision 4; now at 5 (a new
  // image): revision 3 (rolled away from) is passed over for revision 4's template.
  json two = ReplicaSet("fraud-bbbb", 4, "m:2");
  two["metadata"]["annotations"][kRevisionHistoryAnnotation] = "2";
  rs = {ReplicaSet("fraud-aaaa", 1, "m:1"), two, ReplicaSet("fraud-cccc", 3, "m:3"),
        ReplicaSet("fraud-dddd", 5, "m:5")};
  plan = PlanRollback(Deployment(5, "m:5"), rs, 0, {3});
  ASSERT_TRUE(plan.ok()) << plan.message;
  EXPECT_EQ(plan.to_revision, 4);
  // And a template rolled away from under an older number (3 -> 2 rolled away from
  // revision 3; it came back as 6): known by its pod-template-hash.
  json three_again = ReplicaSet("fraud-cccc", 6, "m:3");
  three_again["metadata"]["annotations"][kRevisionHistoryAnnotation] = "3";
  rs = {ReplicaSet("fraud-aaaa", 1, "m:1"), two, three_again, ReplicaSet("fraud-dddd", 7, "m:7")};
  plan = PlanRollback(Deployment(7, "m:7"), rs, 0, {3});
  ASSERT_TRUE(plan.ok()) << plan.message;
  EXPECT_EQ(plan.to_revision, 4);
}

TEST(RevisionSelectorTest, PatchTestsTheResourceVersionAndReplacesTheTemplate) {
  std::vector<json> rs = {ReplicaSet("fraud-aaaa", 1, "m:1"), ReplicaSet("fraud-bbbb", 2, "m:2")};
  const json dep = Deployment(2, "m:2");
  RollbackPlan plan = PlanRollback(dep, rs, 0);
  json patch = RollbackPatch(dep, plan, "by alert slow");
  ASSERT_EQ(patch.size(), 3u);
  EXPECT_EQ(patch[0],
            json({{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", "42"}}));
  EXPECT_EQ(patch[1]["path"], "/spec/template");
  EXPECT_EQ(patch[1]["value"], Template("m:1"));
  EXPECT_EQ(patch[2]["path"], "/metadata/annotations/modelmonitor.io~1rollback");
  EXPECT_EQ(patch[2]["value"], "by alert slow");
}

}  // namespace
}  // namespace mm::op
