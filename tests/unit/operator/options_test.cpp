#include "operator/options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "operator/controller_options.h"

namespace mm::op {
namespace {

TEST(OptionsTest, DefaultsAreClientGosLeaderTimings) {
  CLI::App app;
  OperatorOptions o;
  AddFlags(app, &o);
  const char* argv[] = {"op", "--identity", "me"};
  app.parse(3, const_cast<char**>(argv));
  auto c = MakeControllerOptions(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->leader.lease_duration, std::chrono::seconds(15));
  EXPECT_EQ(c->leader.renew_deadline, std::chrono::seconds(10));
  EXPECT_EQ(c->leader.retry_period, std::chrono::seconds(2));
  EXPECT_EQ(c->identity, "me");
}

TEST(OptionsTest, YamlConfigFileSetsFlagsAndTheCommandLineWins) {
  const auto path = std::filesystem::temp_directory_path() / "mm-operator-options-test.yaml";
  std::ofstream(path) << "workers: 7\nleader-elect-lease-duration: 30s\nnamespace: models\n";
  CLI::App app;
  OperatorOptions o;
  AddFlags(app, &o);
  const std::string config = path.string();
  const char* argv[] = {"op", "--config", config.c_str(), "--workers", "3"};
  app.parse(5, const_cast<char**>(argv));
  EXPECT_EQ(o.workers, 3);
  EXPECT_EQ(o.leader_elect_lease_duration, "30s");
  EXPECT_EQ(o.watch_namespace, "models");
  std::filesystem::remove(path);
}

TEST(OptionsTest, BadDurationsAndTimingsAreRefusedWithTheFlagName) {
  CLI::App app;
  OperatorOptions o;
  AddFlags(app, &o);
  const char* argv[] = {"op", "--leader-elect-retry-period", "2x"};
  EXPECT_THROW(app.parse(3, const_cast<char**>(argv)), CLI::ValidationError);

  OperatorOptions inverted;
  inverted.leader_elect_renew_deadline = "20s";  // more than the lease duration
  auto c = MakeControllerOptions(inverted);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline");
}

TEST(OptionsTest, PrometheusObjectsAreOffByDefaultAndTakeKeyValueLabels) {
  {
    CLI::App app;
    OperatorOptions o;
    AddFlags(app, &o);
    const char* argv[] = {"op"};
    app.parse(1, const_cast<char**>(argv));
    auto c = MakeControllerOptions(o);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_FALSE(c->prometheus_objects);
    EXPECT_TRUE(c->prometheus_labels.empty());
  }
  CLI::App app;
  OperatorOptions o;
  AddFlags(app, &o);
  const char* argv[] = {"op", "--prometheus-objects", "--prometheus-objects-label=release=kps",
                        "--prometheus-objects-label", "team=ml"};
  app.parse(5, const_cast<char**>(argv));
  auto c = MakeControllerOptions(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->prometheus_objects);
  EXPECT_EQ(c->prometheus_labels,
            (std::map<std::string, std::string>{{"release", "kps"}, {"team", "ml"}}));
  o.prometheus_objects_labels = {"release"};
  auto bad = MakeControllerOptions(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("--prometheus-objects-label: \"release\" is not key=value"),
            std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace mm::op
