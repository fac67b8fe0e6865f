#include "common/kube/resource_path.h"

#include <gtest/gtest.h>

namespace mm::kube {
namespace {

TEST(ResourcePath, CoreGroupUsesApi) {
  EXPECT_EQ((ResourcePath{"v1", "pods", "ns", "p"}.Url()), "/api/v1/namespaces/ns/pods/p");
  EXPECT_EQ((ResourcePath{"v1", "namespaces"}.Url()), "/api/v1/namespaces");
}

TEST(ResourcePath, NamedGroupsUseApisWithSubresource) {
  EXPECT_EQ(
      (ResourcePath{"modelmonitor.io/v1alpha1", "modelmonitors", "ml", "fraud", "status"}.Url()),
      "/apis/modelmonitor.io/v1alpha1/namespaces/ml/modelmonitors/fraud/status");
}

TEST(ResourcePath, QueryValuesAreEncoded) {
  EXPECT_EQ((ResourcePath{
                "v1", "pods", "", "", "", {{"labelSelector", "app=a,tier!=b"}, {"limit", "500"}}}
                 .Url()),
            "/api/v1/pods?labelSelector=app%3Da%2Ctier%21%3Db&limit=500");
}

}  // namespace
}  // namespace mm::kube
