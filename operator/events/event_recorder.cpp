#include "operator/events/event_recorder.h"

#include <sys/time.h>

#include <ctime>

#include "common/kube/resource_path.h"
#include "common/log.h"
#include "common/rfc3339.h"

namespace mm::op {
namespace {

// client-go's naming: "<object>.<unix nanoseconds in hex>" (generateName would
// need a prefix that is itself a valid name, and "<object>." is not).
std::string EventName(const std::string& object) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns));
  return object + "." + hex;
}

// The API limits a note to 1 kB.
constexpr size_t kMaxNote = 1024;

}  // namespace

EventRecorder::EventRecorder(kube::KubeClient& client, EventOptions options)
    : client_(client), options_(std::move(options)), thread_([this] { Run(); }) {}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

nlohmann::json EventRecorder::Build(const ObjectRef& regarding, Type type,
                                    const std::string& reason, const std::string& action,
                                    const std::string& note, const EventOptions& options) {
  return {{"apiVersion", "events.k8s.io/v1"},
          {"kind", "Event"},
          {"metadata", {{"name", EventName(regarding.name)}, {"namespace", regarding.ns}}},
          {"eventTime", FormatRfc3339Micro(std::chrono::system_clock::now())},
          {"reportingController", options.reporting_controller},
          {"reportingInstance", options.reporting_instance},
          {"action", action},
          {"reason", reason},
          {"note", note.substr(0, kMaxNote)},
          {"type", type == Type::kWarning ? "Warning" : "Normal"},
          {"regarding",
           {{"apiVersion", regarding.api_version},
            {"kind", regarding.kind},
            {"namespace", regarding.ns},
            {"name", regarding.name},
            {"uid", regarding.uid}}}};
}

void EventRecorder::Record(const ObjectRef& regarding, Type type, const std::string& reason,
                           const std::string& action, const std::string& note) {
  const std::string dedup_key = regarding.uid + "|" + reason + "|" + note;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return;
  auto it = recent_.find(dedup_key);
  if (it != recent_.end() && now - it->second < options_.dedup_window) return;
  if (queue_.size() >= options_.max_queued) {
    ++dropped_;
    if (options_.on_dropped) options_.on_dropped();
    return;
  }
  recent_[dedup_key] = now;
  if (recent_.size() > 10 * options_.max_queued) {  // bound the dedup memory
    for (auto r = recent_.begin(); r != recent_.end();) {
      r = now - r->second >= options_.dedup_window ? recent_.erase(r) : std::next(r);
    }
  }
  queue_.push_back(Build(regarding, type, reason, action, note, options_));
  cv_.notify_all();
}

void EventRecorder::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stop_) return;
      continue;
    }
    nlohmann::json event = std::move(queue_.front());
    queue_.pop_front();
    sending_ = true;
    lock.unlock();
    const std::string ns = event["metadata"]["namespace"];
    auto r = client_.Create(kube::ResourcePath{"events.k8s.io/v1", "events", ns}.Url(), event);
    if (!r.ok()) {
      log::Warning("event not posted", {{"reason", event["reason"]},
                                        {"regarding", event["regarding"]["name"]},
                                        {"error", r.Message()}});
    }
    lock.lock();
    sending_ = false;
    if (r.ok()) ++posted_;
    idle_cv_.notify_all();
  }
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !sending_; });
}

int64_t EventRecorder::posted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return posted_;
}

int64_t EventRecorder::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace mm::op
