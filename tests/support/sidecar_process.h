#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_call.h"
#include "tests/support/local_process.h"

namespace mm::testing {

// The built modelmonitor-sidecar as a child process on 127.0.0.1, as a pod runs
// it, for tests that kill it (kill -9), start it again on the same store, or take
// its store's volume away: free ports, the monitor spec and the tokens given as
// files (--config, --label-token-file, --admin-token-file), the log in a file.
class SidecarProcess {
 public:
  struct Options {
    std::string work_dir;         // an existing folder for the spec, the token files and the logs
    std::string upstream;         // the model, "127.0.0.1:<port>"
    std::string store_dir;        // --store-dir; empty: none
    nlohmann::json monitor_spec;  // --config (a ModelMonitor spec); null: none
    std::string label_token = "label-token";
    std::string admin_token = "admin-token";
    std::vector<std::string> extra_args;  // more flags, e.g. --upstream-timeout=10
    // A command the sidecar is started through, which ends by exec'ing the
    // sidecar's command line appended to it (e.g. unshare ... sh -c '...; exec "$@"').
    std::vector<std::string> launcher;
  };

  // Starts the sidecar and waits (up to 30 s) until its admin port answers
  // /healthz, or the process exits; started() tells which, Log() why.
  explicit SidecarProcess(Options options);
  bool started() const { return started_; }
  uint16_t data_port() const { return data_port_; }
  uint16_t admin_port() const { return admin_port_; }
  LocalProcess& process() { return *process_; }
  std::string Log() const { return process_->Log(); }

  // A GET or POST on the admin port.
  HttpAnswer Admin(const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  std::string Metrics() const { return Admin("GET", "/metrics").body; }
  // POST /v1/labels with the label token: `ndjson` holds one label per line.
  HttpAnswer PostLabels(const std::string& ndjson) const;
  // The accuracy part of GET /v1/snapshot (null when the sidecar does not answer).
  nlohmann::json AccuracySnapshot() const;

 private:
  Options options_;
  uint16_t data_port_ = 0;
  uint16_t admin_port_ = 0;
  bool started_ = false;
  std::unique_ptr<LocalProcess> process_;
};

// Clients sending predictions through a sidecar's data port without let-up, each
// request on a fresh connection with its own id (x-request-id "<prefix><n>"), a
// few milliseconds apart, until Stop(). Every answer is kept: its status (0: none
// within `timeout`, e.g. a hang or a reset), when it was sent and when it came.
class PredictionTraffic {
 public:
  using Clock = std::chrono::steady_clock;
  struct Answer {
    std::string id;
    int status = 0;
    Clock::time_point sent;
    Clock::time_point answered;
  };

  PredictionTraffic(uint16_t data_port, int clients, std::string id_prefix,
                    std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~PredictionTraffic() { Stop(); }
  void Stop();

  int64_t Count(int status) const;
  std::map<int, int64_t> ByStatus() const;
  std::vector<Answer> Answers() const;
  // Up to `n` ids answered 200 that no earlier call returned, oldest first.
  std::vector<std::string> TakeAnswered(size_t n);

 private:
  void Client();

  const uint16_t port_;
  const std::string prefix_;
  const std::chrono::milliseconds timeout_;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Answer> answers_;
  size_t taken_ = 0;  // answers_ before this index were looked at by TakeAnswered
  std::vector<std::thread> clients_;
};

// A ModelMonitor spec with ground truth for the sidecar: a binary classifier
// behind the KServe v1 protocol (mm-test-model's default answer is one such
// prediction), labels joined on x-request-id.
nlohmann::json BinaryClassifierSpec();
// One NDJSON label line per id, all with `label`.
std::string LabelsNdjson(const std::vector<std::string>& ids, int label);

// A fresh folder under the test temporary directory, removed with this object.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The value of `series` (a metric name with its labels exactly as exposed, e.g.
// modelmonitor_sidecar_requests_total{code="5xx"}) in a Prometheus text
// exposition; NaN when absent.
double MetricValue(const std::string& exposition, const std::string& series);

// The built binaries tests start: the sidecar and mm-test-model.
std::string SidecarBinary();
std::string TestModelBinary();

}  // namespace mm::testing
