// The reload decision: each Check() is one trigger (a poll tick or SIGHUP), with
// the config file's text injected, loaded by the same steps the sidecar uses at
// start (ReloadSourceFromOptions).
#include "sidecar/config_reloader.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <optional>

#include "sidecar/options.h"

namespace mm::sidecar {
namespace {

using Fields = std::vector<std::string>;
using Outcome = ReloadResult::Outcome;

// The webhook's injected form, as a kubelet-mounted file would hold it.
const char kStart[] =
    R"({"monitor":{"namespace":"ml","name":"fraud","uid":"u1","generation":1},)"
    R"("serving":{"port":8000,"protocol":"kserve-v1"},"sidecar":{"sampleRate":1}})";
// FNV-1a (64 bit) of kStart.
const char kStartHash[] = "187459feca088c94";

std::string Edited(const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(kStart);
  edit(j);
  return j.dump();
}

class ConfigReloaderTest : public ::testing::Test {
 protected:
  ConfigReloaderTest() {
    options_.config_file = "/etc/modelmonitor/monitor.json";  // named in logs, never read
    ConfigSource source = ReloadSourceFromOptions(options_);
    source.read = [this](const std::string&) -> Result<std::string> {
      if (read_error_) return Error{*read_error_};
      return file_;
    };
    auto live = source.load(file_);
    EXPECT_TRUE(live.ok()) << (live ? "" : live.error().message);
    reloader_ = std::make_unique<ConfigReloader>(
        live.value(), std::move(source),
        [this](const SidecarConfig& next) {
          applied_.push_back(next);
          return OkStatus();
        },
        registry_);
  }
  std::string Metrics() const {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }
  bool HasMetric(const std::string& line) const {
    return Metrics().find(line + "\n") != std::string::npos;
  }

  SidecarOptions options_;
  std::string file_ = kStart;
  std::optional<std::string> read_error_;
  std::vector<SidecarConfig> applied_;
  prometheus::Registry registry_;
  std::unique_ptr<ConfigReloader> reloader_;
};

TEST_F(ConfigReloaderTest, StartsAtGenerationOneNamedByTheTextsHash) {
  EXPECT_EQ(reloader_->identity().generation, 1u);
  EXPECT_EQ(reloader_->identity().hash, kStartHash);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_generation 1")) << Metrics();
  EXPECT_TRUE(
      HasMetric(std::string("modelmonitor_sidecar_config_info{hash=\"") + kStartHash + "\"} 1"));
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 0"));
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_restart_required 0"));
}

TEST_F(ConfigReloaderTest, AnUnchangedFileIsANoOp) {
  for (int tick = 0; tick < 3; ++tick) EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged);
  EXPECT_TRUE(applied_.empty());
  EXPECT_EQ(reloader_->identity().generation, 1u);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"success\"} 0"));
}

TEST_F(ConfigReloaderTest, AValidChangeIsSwappedInOnce) {
  file_ = Edited([](auto& j) {
    j["serving"]["requestIdHeader"] = "x-trace-id";
    j["sidecar"]["sampleRate"] = 0.25;
  });
  const ReloadResult result = reloader_->Check();
  EXPECT_EQ(result.outcome, Outcome::kApplied) << result.error;
  EXPECT_EQ(result.reloaded, (Fields{"spec.serving.requestIdHeader", "spec.sidecar.sampleRate"}));
  EXPECT_TRUE(result.restart_required.empty());
  ASSERT_EQ(applied_.size(), 1u);
  EXPECT_EQ(applied_[0].requests.request_id_header, "x-trace-id");
  EXPECT_EQ(applied_[0].requests.sample_rate, 0.25);
  EXPECT_EQ(applied_[0].protocol.protocol, api::Protocol::kKServeV1);
  EXPECT_EQ(applied_[0].monitor_spec, file_);

  const auto live = reloader_->identity();
  EXPECT_EQ(live.generation, 2u);
  EXPECT_NE(live.hash, kStartHash);
  EXPECT_EQ(live.hash.size(), 16u);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_generation 2"));
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"success\"} 1"));
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_info{hash=\"" + live.hash + "\"} 1"));
  EXPECT_EQ(Metrics().find(kStartHash), std::string::npos) << "the old config's series is gone";

  EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged) << "the next tick sees it live";
  EXPECT_EQ(applied_.size(), 1u);
}

TEST_F(ConfigReloaderTest, AnInvalidChangeKeepsTheOldConfigAndIsReportedOnceWithItsFieldPath) {
  file_ = Edited([](auto& j) { j["sidecar"]["sampleRate"] = 3; });
  const ReloadResult result = reloader_->Check();
  EXPECT_EQ(result.outcome, Outcome::kRejected);
  EXPECT_NE(result.error.find("spec.sidecar.sampleRate"), std::string::npos) << result.error;
  EXPECT_TRUE(applied_.empty());
  EXPECT_EQ(reloader_->identity().generation, 1u);
  EXPECT_EQ(reloader_->identity().hash, kStartHash);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 1"));

  EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged) << "a refused text is tried once";
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 1"));

  file_ = "{not json";
  EXPECT_EQ(reloader_->Check().error,
            "--config /etc/modelmonitor/monitor.json: not a JSON object (the ModelMonitor spec)");
  file_ = kStart;  // put back as it was: nothing to do
  EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged);
  EXPECT_TRUE(applied_.empty());
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 2"));
}

TEST_F(ConfigReloaderTest, ARestartOnlyChangeKeepsItsOldValueAndIsReported) {
  file_ = Edited([](auto& j) {
    j["serving"]["port"] = 9000;
    j["sidecar"]["sampleRate"] = 0.5;
  });
  const ReloadResult result = reloader_->Check();
  EXPECT_EQ(result.outcome, Outcome::kApplied) << result.error;
  EXPECT_EQ(result.restart_required, Fields{"spec.serving.port"});
  EXPECT_EQ(result.reloaded, Fields{"spec.sidecar.sampleRate"});
  ASSERT_EQ(applied_.size(), 1u);
  EXPECT_EQ(applied_[0].proxy.upstream_port, 8000) << "the port the process started with";
  EXPECT_EQ(applied_[0].requests.sample_rate, 0.5);
  EXPECT_TRUE(reloader_->identity().restart_required);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_restart_required 1"));

  file_ = Edited([](auto& j) { j["sidecar"]["sampleRate"] = 0.5; });  // the port back
  EXPECT_TRUE(reloader_->Check().restart_required.empty());
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_restart_required 0"));
  EXPECT_EQ(reloader_->identity().generation, 3u);
}

TEST_F(ConfigReloaderTest, AnUnreadableFileKeepsTheOldConfigAndIsCountedOnce) {
  read_error_ =
      "--config /etc/modelmonitor/monitor.json: cannot read /etc/modelmonitor/monitor.json";
  EXPECT_EQ(reloader_->Check().error, *read_error_);
  EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged);
  read_error_.reset();
  EXPECT_EQ(reloader_->Check().outcome, Outcome::kUnchanged);
  EXPECT_TRUE(HasMetric("modelmonitor_sidecar_config_reloads_total{result=\"failure\"} 1"));
  EXPECT_EQ(reloader_->identity().generation, 1u);
}

TEST(ConfigReloaderWithoutSourceTest, AConfigFromFlagsOnlyNeverChanges) {
  prometheus::Registry registry;
  bool applied = false;
  ConfigReloader reloader(
      SidecarConfig{}, ConfigSource{},
      [&](const SidecarConfig&) {
        applied = true;
        return OkStatus();
      },
      registry);
  EXPECT_EQ(reloader.Check().outcome, Outcome::kUnchanged);
  EXPECT_FALSE(applied);
  EXPECT_EQ(reloader.identity().hash, "cbf29ce484222325") << "FNV-1a of no text";
}

}  // namespace
}  // namespace mm::sidecar
