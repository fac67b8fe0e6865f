#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/periodic_thread.h"
#include "common/result.h"
#include "sidecar/reload_plan.h"
#include "sidecar/sidecar_config.h"

namespace mm::sidecar {

// Where a reload finds the config (ReloadSourceFromOptions, sidecar/options.h).
struct ConfigSource {
  std::string origin;  // for logs: "--config <path>" or the variable
  // The text to serve now, given the live one (return the live text for "no
  // news", e.g. a mounted file that is absent or older than the live config);
  // null: it never changes.
  std::function<Result<std::string>(const std::string& live)> read;
  // A text turned into a whole, validated config by the steps used at start.
  std::function<Result<SidecarConfig>(const std::string& text)> load;
  // How often Start's thread checks. Why polling and not inotify: the kubelet
  // updates a mounted ConfigMap by swapping a symlink (..data -> ..<timestamp>),
  // which a watch on the file itself never sees, and the kubelet itself only
  // syncs every minute or so; reading a small file every 2 s (the default) costs
  // nothing measurable and also works for a file replaced by hand. 0: only Check
  // calls (SIGHUP).
  std::chrono::milliseconds poll_every{0};
};

// What one check did.
struct ReloadResult {
  enum class Outcome {
    kUnchanged,  // the text was seen before (the live one, or one already refused)
    kApplied,    // a new config is live (maybe with restart-only fields kept old)
    kRejected,   // unreadable or invalid: the live config stays
  };
  Outcome outcome = Outcome::kUnchanged;
  std::vector<std::string> reloaded;          // kApplied: spec fields whose new value is live
  std::vector<std::string> restart_required;  // kApplied: changed, but kept until a restart
  std::string error;                          // kRejected: what was wrong, with the field path
};

// Reloads the configuration while the sidecar serves. Each Check() reads the
// source; a text not seen before is loaded with the parser and validator used at
// start, planned field by field (PlanReload) and handed to `apply`, which builds
// the new objects and swaps them in. A text that fails keeps the live config, is
// logged once at warning with the field path of its error, and is counted in
// modelmonitor_sidecar_config_reloads_total{result="failure"}; a text that changes
// restart-only fields is applied without them, and says so. Which config is live:
// generation (1 at start, +1 per applied reload) and hash (FNV-1a, 64 bits, of
// its text as 16 hex digits), on /metrics and /v1/snapshot. Thread-safe: Check
// runs on Start's thread and on SIGHUP.
class ConfigReloader {
 public:
  // Builds and swaps in what an accepted config changes; an error refuses it
  // (then nothing may have been swapped).
  using Apply = std::function<Status(const SidecarConfig&)>;

  ConfigReloader(SidecarConfig live, ConfigSource source, Apply apply,
                 prometheus::Registry& registry);
  ~ConfigReloader() { Stop(); }
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  void Start();  // checks every source.poll_every on its own thread (not when 0)
  void Stop();
  ReloadResult Check();

  struct Identity {
    uint64_t generation = 1;
    std::string hash;
    bool restart_required = false;  // the live text asks for changes only a restart applies
  };
  Identity identity() const;

 private:
  ReloadResult Refuse(const std::string& error);

  const ConfigSource source_;
  const Apply apply_;
  mutable std::mutex mu_;  // one check at a time; guards everything below
  SidecarConfig live_;
  std::string last_seen_;  // the last text (or read error) checked: not checked again
  Identity identity_;
  prometheus::Family<prometheus::Gauge>* info_;
  prometheus::Gauge* info_now_;
  prometheus::Counter* succeeded_;
  prometheus::Counter* failed_;
  prometheus::Gauge* generation_;
  prometheus::Gauge* restart_required_;
  PeriodicThread poller_;
};

}  // namespace mm::sidecar
