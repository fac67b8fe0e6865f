// The local kubelet's volumes, laid out and refreshed as the kubelet's
// AtomicWriter does: what a sidecar reading its mounted ConfigMap relies on.
#include "dev/local_kubelet/pod_volumes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/fake_kube_client.h"

namespace mm::dev {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kConfigMap = "/api/v1/namespaces/ns/configmaps/fraud-modelmonitor-config";

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json ConfigMap(const std::string& text) {
  return {{"metadata", {{"name", "fraud-modelmonitor-config"}}},
          {"data", {{"monitor.json", text}}}};
}

json Pod(bool optional = true) {
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u-1"}}},
          {"spec",
           {{"volumes",
             {{{"name", "config"},
               {"configMap", {{"name", "fraud-modelmonitor-config"}, {"optional", optional}}}},
              {{"name", "store"}, {"emptyDir", json::object()}}}}}}};
}

class PodVolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pod_dir_ = fs::path(::testing::TempDir()) / ("mm-pod-volumes-" + std::to_string(getpid()));
    fs::remove_all(pod_dir_);
  }
  void TearDown() override { fs::remove_all(pod_dir_); }
  fs::path Volume() const { return pod_dir_ / "volumes" / "config"; }
  // The timestamped version folders ("..2026_...") in the volume.
  std::vector<std::string> Versions() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(Volume())) {
      const std::string name = e.path().filename().string();
      if (name.rfind("..", 0) == 0 && name != "..data") out.push_back(name);
    }
    return out;
  }

  testing::FakeKubeClient fake_;
  fs::path pod_dir_;
};

TEST_F(PodVolumesTest, AConfigMapIsLaidOutAsTheKubeletDoes) {
  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v1"));
  ASSERT_TRUE(PopulateVolumes(fake_, Pod(), pod_dir_.string()).ok());
  EXPECT_EQ(Read(Volume() / "monitor.json"), "v1");
  ASSERT_TRUE(fs::is_symlink(Volume() / "monitor.json"));
  EXPECT_EQ(fs::read_symlink(Volume() / "monitor.json"), fs::path("..data/monitor.json"));
  ASSERT_TRUE(fs::is_symlink(Volume() / "..data"));
  const auto versions = Versions();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(fs::read_symlink(Volume() / "..data"), fs::path(versions[0]));
  EXPECT_EQ(versions[0].rfind("..20", 0), 0u) << versions[0] << ": ..<timestamp>";
  EXPECT_TRUE(fs::is_directory(pod_dir_ / "volumes" / "store"));
}

TEST_F(PodVolumesTest, ARefreshSwapsInAChangedConfigMapAndRemovesTheOldVersion) {
  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v1"));
  ASSERT_TRUE(PopulateVolumes(fake_, Pod(), pod_dir_.string()).ok());
  const auto first = Versions();

  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v1"));
  auto same = RefreshVolumes(fake_, Pod(), pod_dir_.string());
  EXPECT_TRUE(same.changed.empty()) << "unchanged content is not rewritten";
  EXPECT_EQ(Versions(), first);

  // A reader holding the old file open keeps reading the old version.
  std::ifstream held(Volume() / "monitor.json");
  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v2"));
  auto changed = RefreshVolumes(fake_, Pod(), pod_dir_.string());
  EXPECT_EQ(changed.changed, std::vector<std::string>{"config"});
  EXPECT_TRUE(changed.errors.empty());
  EXPECT_EQ(Read(Volume() / "monitor.json"), "v2");
  const auto second = Versions();
  ASSERT_EQ(second.size(), 1u) << "the old version is removed";
  EXPECT_NE(second, first);
  std::string old;
  std::getline(held, old);
  EXPECT_EQ(old, "v1");
}

TEST_F(PodVolumesTest, AnOptionalConfigMapCreatedLaterAppearsAndDeletedLaterGoes) {
  // No answer queued: 404, the ConfigMap does not exist yet.
  ASSERT_TRUE(PopulateVolumes(fake_, Pod(), pod_dir_.string()).ok());
  EXPECT_TRUE(fs::is_directory(Volume()));
  EXPECT_FALSE(fs::exists(Volume() / "monitor.json"));

  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v1"));
  EXPECT_EQ(RefreshVolumes(fake_, Pod(), pod_dir_.string()).changed.size(), 1u);
  EXPECT_EQ(Read(Volume() / "monitor.json"), "v1");

  auto deleted = RefreshVolumes(fake_, Pod(), pod_dir_.string());  // 404 again
  EXPECT_EQ(deleted.changed.size(), 1u);
  EXPECT_FALSE(fs::exists(Volume() / "monitor.json"));
  EXPECT_FALSE(fs::is_symlink(Volume() / "monitor.json"));
}

TEST_F(PodVolumesTest, AnObjectThatCannotBeReadKeepsTheFiles) {
  fake_.Queue("GET", kConfigMap, 200, ConfigMap("v1"));
  ASSERT_TRUE(PopulateVolumes(fake_, Pod(false), pod_dir_.string()).ok());
  fake_.Queue("GET", kConfigMap, 500, {{"message", "etcdserver: request timed out"}});
  auto r = RefreshVolumes(fake_, Pod(false), pod_dir_.string());
  EXPECT_TRUE(r.changed.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("volume \"config\""), std::string::npos) << r.errors[0];
  EXPECT_EQ(Read(Volume() / "monitor.json"), "v1");
  // A required ConfigMap that is gone: the kubelet keeps the last files too.
  r = RefreshVolumes(fake_, Pod(false), pod_dir_.string());
  EXPECT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(Read(Volume() / "monitor.json"), "v1");
}

TEST_F(PodVolumesTest, KeysComeAndGoAndItemsMapKeysToPaths) {
  const std::string folder = (pod_dir_ / "v").string();
  fs::create_directories(folder);
  ASSERT_TRUE(WriteVolumeAtomically(folder, {{"a", "1"}, {"dir/b", "2"}}).value());
  EXPECT_EQ(Read(fs::path(folder) / "dir" / "b"), "2");
  EXPECT_EQ(fs::read_symlink(fs::path(folder) / "dir"), fs::path("..data/dir"));
  ASSERT_TRUE(WriteVolumeAtomically(folder, {{"c", "3"}}).value());
  EXPECT_FALSE(fs::exists(fs::path(folder) / "a"));
  EXPECT_FALSE(fs::is_symlink(fs::path(folder) / "dir"));
  EXPECT_EQ(Read(fs::path(folder) / "c"), "3");
  EXPECT_FALSE(WriteVolumeAtomically(folder, {{"c", "3"}}).value());
  EXPECT_FALSE(WriteVolumeAtomically(folder, {{"../escape", "x"}}).ok());
}

}  // namespace
}  // namespace mm::dev
