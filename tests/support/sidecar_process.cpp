#include "tests/support/sidecar_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/support/wait.h"

namespace mm::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

}  // namespace

std::string SidecarBinary() { return std::string(MM_BINARY_DIR) + "/sidecar/modelmonitor-sidecar"; }
std::string TestModelBinary() { return std::string(MM_BINARY_DIR) + "/tests/mm-test-model"; }

SidecarProcess::SidecarProcess(Options options) : options_(std::move(options)) {
  static std::atomic<int> started{0};
  const std::string n = std::to_string(++started);
  const std::string& dir = options_.work_dir;
  data_port_ = FreeLoopbackPort();
  admin_port_ = FreeLoopbackPort();
  std::vector<std::string> args = {"--listen-address=127.0.0.1",
                                   "--data-port=" + std::to_string(data_port_),
                                   "--admin-port=" + std::to_string(admin_port_),
                                   "--upstream=" + options_.upstream,
                                   "--label-token-file=" + dir + "/label-token",
                                   "--admin-token-file=" + dir + "/admin-token"};
  WriteFile(dir + "/label-token", options_.label_token);
  WriteFile(dir + "/admin-token", options_.admin_token);
  if (!options_.store_dir.empty()) args.push_back("--store-dir=" + options_.store_dir);
  if (!options_.monitor_spec.is_null()) {
    WriteFile(dir + "/spec.json", options_.monitor_spec.dump());
    args.push_back("--config=" + dir + "/spec.json");
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::string binary = SidecarBinary();
  if (!options_.launcher.empty()) {
    args.insert(args.begin(), binary);
    args.insert(args.begin(), options_.launcher.begin() + 1, options_.launcher.end());
    binary = options_.launcher[0];
  }
  process_ = std::make_unique<LocalProcess>(binary, args, dir + "/sidecar-" + n + ".log");
  WaitFor(
      [&] {
        started_ = Admin("GET", "/healthz").status == 200;
        return started_ || !process_->Running();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(20));
}

HttpAnswer SidecarProcess::Admin(
    const std::string& method, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  return HttpCall("127.0.0.1", admin_port_, method, target, body, headers);
}

HttpAnswer SidecarProcess::PostLabels(const std::string& ndjson) const {
  return Admin("POST", "/v1/labels", ndjson,
               {{"content-type", "application/x-ndjson"},
                {"authorization", "Bearer " + options_.label_token}});
}

nlohmann::json SidecarProcess::AccuracySnapshot() const {
  const HttpAnswer a =
      Admin("GET", "/v1/snapshot", "", {{"authorization", "Bearer " + options_.admin_token}});
  if (a.status != 200) return nullptr;
  auto j = nlohmann::json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j.value("accuracy", nlohmann::json()) : nlohmann::json();
}

PredictionTraffic::PredictionTraffic(uint16_t data_port, int clients, std::string id_prefix,
                                     std::chrono::milliseconds timeout)
    : port_(data_port), prefix_(std::move(id_prefix)), timeout_(timeout) {
  for (int i = 0; i < clients; ++i) clients_.emplace_back([this] { Client(); });
}

void PredictionTraffic::Stop() {
  stop_ = true;
  for (auto& t : clients_) t.join();
  clients_.clear();
}

void PredictionTraffic::Client() {
  while (!stop_) {
    Answer a;
    a.id = prefix_ + std::to_string(next_++);
    a.sent = Clock::now();
    a.status =
        HttpCall("127.0.0.1", port_, "POST", "/v1/models/m:predict", R"({"instances":[[1.0,2.0]]})",
                 {{"content-type", "application/json"}, {"x-request-id", a.id}}, timeout_)
            .status;
    a.answered = Clock::now();
    {
      std::lock_guard lock(mu_);
      answers_.push_back(std::move(a));
    }
    // Load shaping, not synchronisation: a steady stream rather than a busy loop
    // while the model is down and every answer is an instant 502.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

int64_t PredictionTraffic::Count(int status) const {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& a : answers_) n += a.status == status;
  return n;
}

std::map<int, int64_t> PredictionTraffic::ByStatus() const {
  std::lock_guard lock(mu_);
  std::map<int, int64_t> out;
  for (const auto& a : answers_) ++out[a.status];
  return out;
}

std::vector<PredictionTraffic::Answer> PredictionTraffic::Answers() const {
  std::lock_guard lock(mu_);
  return answers_;
}

std::vector<std::string> PredictionTraffic::TakeAnswered(size_t n) {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (; taken_ < answers_.size() && ids.size() < n; ++taken_) {
    if (answers_[taken_].status == 200) ids.push_back(answers_[taken_].id);
  }
  return ids;
}

nlohmann::json BinaryClassifierSpec() {
  return {{"selector", {{"matchLabels", {{"app", "model"}}}}},
          {"target", {{"kind", "Deployment"}, {"name", "model"}}},
          {"serving", {{"protocol", "kserve-v1"}, {"requestIdHeader", "x-request-id"}}},
          {"groundTruth", {{"task", "binary-classification"}, {"positiveClass", "1"}}}};
}

std::string LabelsNdjson(const std::vector<std::string>& ids, int label) {
  std::string out;
  for (const auto& id : ids) {
    out += nlohmann::json({{"id", id}, {"label", label}}).dump() + "\n";
  }
  return out;
}

ScratchDir::ScratchDir(const std::string& name) {
  path_ = (std::filesystem::path(::testing::TempDir()) /
           ("mm-" + name + "-" + std::to_string(::getpid())))
              .string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

double MetricValue(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace mm::testing
