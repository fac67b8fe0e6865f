#include "common/metrics/metric_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "tests/support/crd_schema.h"

namespace mm::metrics::names {
namespace {

// The metric tables of docs/sidecar.md and docs/operator.md ("| `modelmonitor_...`")
// list exactly the names the binaries declare: a renamed or new series cannot leave
// the docs behind, and the docs cannot promise a series nobody exports.
TEST(MetricNamesTest, TheDocsTablesListExactlyTheDeclaredNames) {
  std::set<std::string> documented;
  const std::regex row(R"(\| `(modelmonitor_[a-z0-9_]+))");
  for (const char* doc : {"docs/sidecar.md", "docs/operator.md"}) {
    const std::string text = testing::ReadFile(testing::SourcePath(doc));
    for (std::sregex_iterator m(text.begin(), text.end(), row), end; m != end; ++m) {
      documented.insert((*m)[1]);
    }
  }
  const auto all = All();
  const std::set<std::string> declared(all.begin(), all.end());
  EXPECT_EQ(declared.size(), all.size()) << "a name is declared twice";
  for (const auto& name : documented) {
    EXPECT_TRUE(declared.count(name)) << name << " is documented but not declared";
  }
  for (const auto& name : declared) {
    EXPECT_TRUE(documented.count(name)) << name << " is declared but not in the docs' tables";
  }
}

TEST(MetricNamesTest, AccuracyGaugesAreNamedAfterTheReport) {
  EXPECT_EQ(AccuracyGauge("recall"), "modelmonitor_recall");
  const auto all = All();
  EXPECT_NE(std::find(all.begin(), all.end(), "modelmonitor_labeled_samples"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), kSidecarRequestsTotal), all.end());
}

}  // namespace
}  // namespace mm::metrics::names
