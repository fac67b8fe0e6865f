#include "operator/webhook/admission_review.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "tests/unit/operator/webhook/test_objects.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

// The request shape of the Kubernetes documentation ("Webhook request and response").
json Review() {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"requestKind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"namespace", "ml"},
            {"operation", "CREATE"},
            {"userInfo", {{"username", "system:serviceaccount:kube-system:replicaset-controller"}}},
            {"object", testing::ModelPod()},
            {"oldObject", nullptr},
            {"dryRun", false},
            {"options", {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "CreateOptions"}}}}}};
}

std::string ErrorOf(const std::string& body, const AdmissionLimits& limits = {}) {
  auto r = DecodeAdmissionReview(body, limits);
  return r.ok() ? "" : r.error().message;
}

TEST(AdmissionReview, DecodesTheDocumentedRequest) {
  auto r = DecodeAdmissionReview(Review().dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->kind, "Pod");
  EXPECT_EQ(r->group, "");
  EXPECT_EQ(r->version, "v1");
  EXPECT_EQ(r->resource, "pods");
  EXPECT_EQ(r->operation, "CREATE");
  EXPECT_EQ(r->ns, "ml");
  EXPECT_FALSE(r->dry_run);
  EXPECT_EQ(r->object, testing::ModelPod());
}

TEST(AdmissionReview, RefusesWrongVersionAndKindWithWhatWouldBeRight) {
  json v1beta1 = Review();
  v1beta1["apiVersion"] = "admission.k8s.io/v1beta1";
  EXPECT_EQ(ErrorOf(v1beta1.dump()),
            "apiVersion \"admission.k8s.io/v1beta1\" is not supported (send admission.k8s.io/v1; "
            "set admissionReviewVersions: [\"v1\"])");
  json pod = testing::ModelPod();
  EXPECT_EQ(ErrorOf(pod.dump()), "kind \"Pod\" is not supported (send kind: AdmissionReview)");
  json numeric_kind = Review();
  numeric_kind["kind"] = 7;
  EXPECT_EQ(ErrorOf(numeric_kind.dump()), "AdmissionReview.kind: must be a string");
}

TEST(AdmissionReview, RefusesTruncatedEmptyAndNonObjectBodies) {
  const std::string full = Review().dump();
  EXPECT_NE(ErrorOf(full.substr(0, full.size() / 2)).find("not valid JSON (truncated?)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("").find("empty body"), std::string::npos);
  EXPECT_NE(ErrorOf("[1,2]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf("\"AdmissionReview\"").find("must be a JSON object"), std::string::npos);
}

TEST(AdmissionReview, RefusesHugeAndDeeplyNestedBodies) {
  AdmissionLimits limits;
  limits.max_body_bytes = 1000;
  EXPECT_EQ(ErrorOf(std::string(1001, ' '), limits),
            "body of 1001 bytes is over the limit of 1000 bytes");
  std::string deep(100000, '[');
  EXPECT_EQ(ErrorOf(deep), "JSON nested deeper than 64 levels");
  // Brackets inside strings do not count.
  json review = Review();
  review["request"]["object"]["metadata"]["annotations"] = {{"x", std::string(500, '[')}};
  EXPECT_EQ(ErrorOf(review.dump()), "");
}

TEST(AdmissionReview, RequiresUidOperationAndObjectForCreate) {
  json no_uid = Review();
  no_uid["request"].erase("uid");
  EXPECT_EQ(ErrorOf(no_uid.dump()), "request.uid: required, the response must echo it");
  json no_request = Review();
  no_request.erase("request");
  EXPECT_NE(ErrorOf(no_request.dump()).find("request: required"), std::string::npos);
  json no_op = Review();
  no_op["request"].erase("operation");
  EXPECT_NE(ErrorOf(no_op.dump()).find("request.operation: required"), std::string::npos);
  json no_object = Review();
  no_object["request"]["object"] = nullptr;
  EXPECT_EQ(ErrorOf(no_object.dump()), "request.object: required for CREATE");
  json bad_ns = Review();
  bad_ns["request"]["namespace"] = json::array();
  EXPECT_EQ(ErrorOf(bad_ns.dump()), "request.namespace: must be a string");
}

TEST(AdmissionReview, EncodesAllowedResponseWithBase64Patch) {
  AdmissionResponse r;
  r.uid = "u-1";
  r.patch = json::array({{{"op", "add"}, {"path", "/a"}, {"value", 1}}});
  r.warnings = {"w"};
  r.audit_annotations["injection"] = "injected by fraud";
  const json out = EncodeAdmissionReview(r);
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(out["kind"], "AdmissionReview");
  EXPECT_EQ(out["response"]["uid"], "u-1");
  EXPECT_EQ(out["response"]["allowed"], true);
  EXPECT_EQ(out["response"]["patchType"], "JSONPatch");
  EXPECT_EQ(json::parse(Base64Decode(out["response"]["patch"].get<std::string>()).value()),
            r.patch);
  EXPECT_EQ(out["response"]["warnings"], json::array({"w"}));
  EXPECT_EQ(out["response"]["auditAnnotations"]["injection"], "injected by fraud");
  EXPECT_FALSE(out["response"].contains("status"));
}

TEST(AdmissionReview, NoPatchMeansNoPatchType) {
  AdmissionResponse r;
  r.uid = "u-2";
  const json out = EncodeAdmissionReview(r);
  EXPECT_FALSE(out["response"].contains("patch"));
  EXPECT_FALSE(out["response"].contains("patchType"));
  EXPECT_FALSE(out["response"].contains("warnings"));
}

}  // namespace
}  // namespace mm::webhook
