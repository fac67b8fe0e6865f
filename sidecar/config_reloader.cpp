#include "sidecar/config_reloader.h"

#include <cstdio>

#include "common/log.h"
#include "common/metrics/metric_names.h"

namespace mm::sidecar {

namespace {

// FNV-1a (64 bit) of the text as 16 hex digits: names a config, the same on
// every pod and build. Not OpenSSL's SHA-256: its first use loads OpenSSL's
// default provider, 2 MiB of resident memory for a sidecar that idles at 8.
std::string ConfigHash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string Join(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f;
  return out;
}

}  // namespace

ConfigReloader::ConfigReloader(SidecarConfig live, ConfigSource source, Apply apply,
                               prometheus::Registry& registry)
    : source_(std::move(source)), apply_(std::move(apply)), live_(std::move(live)) {
  last_seen_ = live_.monitor_spec;
  identity_.hash = ConfigHash(live_.monitor_spec);
  auto& reloads = prometheus::BuildCounter()
                      .Name(metrics::names::kSidecarConfigReloadsTotal)
                      .Help(
                          "Configuration reloads by result: a new config live, or one refused "
                          "(the previous one keeps serving)")
                      .Register(registry);
  succeeded_ = &reloads.Add({{"result", "success"}});
  failed_ = &reloads.Add({{"result", "failure"}});
  generation_ = &prometheus::BuildGauge()
                     .Name(metrics::names::kSidecarConfigGeneration)
                     .Help("Configs this process has served with: 1 at start, +1 per reload")
                     .Register(registry)
                     .Add({});
  generation_->Set(1);
  info_ = &prometheus::BuildGauge()
               .Name(metrics::names::kSidecarConfigInfo)
               .Help("The live config: hash is FNV-1a (64 bits) of its text")
               .Register(registry);
  info_now_ = &info_->Add({{"hash", identity_.hash}});
  info_now_->Set(1);
  restart_required_ = &prometheus::BuildGauge()
                           .Name(metrics::names::kSidecarConfigRestartRequired)
                           .Help("1 when the live config changed fields only a restart applies")
                           .Register(registry)
                           .Add({});
}

void ConfigReloader::Start() {
  if (source_.poll_every.count() > 0) poller_.Start(source_.poll_every, [this] { Check(); });
}

void ConfigReloader::Stop() { poller_.Stop(); }

ConfigReloader::Identity ConfigReloader::identity() const {
  std::lock_guard lock(mu_);
  return identity_;
}

ReloadResult ConfigReloader::Check() {
  std::lock_guard lock(mu_);
  if (!source_.read) return {};
  auto text = source_.read(live_.monitor_spec);
  // A text is tried once: the poll sees the same file every few seconds, and a
  // refused one is logged and counted once, not every time.
  const std::string seen = text ? *text : std::string(1, '\0') + text.error().message;
  if (seen == last_seen_) return {};
  last_seen_ = seen;
  if (!text) return Refuse(text.error().message);
  if (*text == live_.monitor_spec) return {};  // back to the live text after a refused one
  auto next = source_.load(*text);
  if (!next) return Refuse(next.error().message);
  ReloadPlan plan = PlanReload(live_, *next);
  if (auto applied = apply_(plan.config); !applied) return Refuse(applied.error().message);

  live_ = std::move(plan.config);
  ++identity_.generation;
  identity_.hash = ConfigHash(live_.monitor_spec);
  identity_.restart_required = !plan.restart_required.empty();
  succeeded_->Increment();
  generation_->Set(static_cast<double>(identity_.generation));
  info_->Remove(info_now_);
  info_now_ = &info_->Add({{"hash", identity_.hash}});
  info_now_->Set(1);
  restart_required_->Set(identity_.restart_required ? 1 : 0);
  log::Info("configuration reloaded", {{"source", source_.origin},
                                       {"generation", identity_.generation},
                                       {"hash", identity_.hash},
                                       {"changed", Join(plan.reloaded)}});
  if (identity_.restart_required) {
    log::Warning(
        "configuration changes fields that only a restart applies; they keep their old values "
        "until the sidecar restarts",
        {{"fields", Join(plan.restart_required)}, {"generation", identity_.generation}});
  }
  return {ReloadResult::Outcome::kApplied, std::move(plan.reloaded),
          std::move(plan.restart_required), ""};
}

ReloadResult ConfigReloader::Refuse(const std::string& error) {
  failed_->Increment();
  log::Warning(
      std::string("configuration not reloaded: the previous one keeps serving (counted in ") +
          metrics::names::kSidecarConfigReloadsTotal + "{result=\"failure\"})",
      {{"source", source_.origin}, {"error", error}, {"generation", identity_.generation}});
  ReloadResult result;
  result.outcome = ReloadResult::Outcome::kRejected;
  result.error = error;
  return result;
}

}  // namespace mm::sidecar
