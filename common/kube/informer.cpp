#include "common/kube/informer.h"

#include "common/kube/list_pager.h"
#include "common/log.h"

namespace mm::kube {
namespace {

// "namespace/label=value": label keys hold no '=' and namespaces no '/'.
std::string LabelIndexKey(const std::string& ns, const std::string& label,
                          const std::string& value) {
  return ns + "/" + label + "=" + value;
}

std::string ResourceVersionOf(const nlohmann::json& object) {
  const auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return "";
  return m->value("resourceVersion", "");
}

}  // namespace

std::string Informer::KeyOf(const nlohmann::json& object) {
  const auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return "";
  const std::string ns = m->value("namespace", "");
  const std::string name = m->value("name", "");
  return ns.empty() ? name : ns + "/" + name;
}

Informer::Informer(KubeClient& client, std::string name, InformerOptions options)
    : client_(client),
      name_(std::move(name)),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandler(Handler handler) { handlers_.push_back(std::move(handler)); }

void Informer::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  stop_ = true;
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    if (control_) control_->Cancel();
  }
  {
    std::lock_guard<std::mutex> lock(sleep_mu_);
    sleep_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(sleep_mu_);
  return sleep_cv_.wait_for(lock, timeout, [this] { return synced_.load() || stop_.load(); }) &&
         synced_.load();
}

void Informer::Resync() {
  resync_pending_ = true;
  resync_requested_ = true;
  std::lock_guard<std::mutex> lock(control_mu_);
  if (control_) control_->Cancel();
}

ObjectPtr Informer::Get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(key);
  return it == cache_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List(const std::string& ns) const {
  std::vector<ObjectPtr> out;
  std::lock_guard<std::mutex> lock(mu_);
  if (ns.empty()) {
    out.reserve(cache_.size());
    for (const auto& [k, v] : cache_) out.push_back(v);
    return out;
  }
  // Keys are "ns/name", sorted: the namespace's objects are one contiguous range.
  const std::string prefix = ns + "/";
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

void Informer::ForEach(const std::string& ns,
                       const std::function<void(const nlohmann::json&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (ns.empty()) {
    for (const auto& [k, v] : cache_) fn(*v);
    return;
  }
  const std::string prefix = ns + "/";
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    fn(*it->second);
  }
}

void Informer::ForEachSelected(const std::string& ns, const kube::LabelSelector& selector,
                               const std::function<void(const nlohmann::json&)>& fn) const {
  auto labels_of = [](const nlohmann::json& object) -> const nlohmann::json& {
    static const nlohmann::json kNone;
    const auto meta = object.find("metadata");
    if (meta == object.end() || !meta->is_object()) return kNone;
    const auto labels = meta->find("labels");
    return labels == meta->end() ? kNone : *labels;
  };
  std::lock_guard<std::mutex> lock(mu_);
  // The narrowest requirement on label values: only objects with one of them can match.
  const kube::LabelSelector::Requirement* narrowest = nullptr;
  size_t narrowest_size = 0;
  if (options_.index_labels && !ns.empty()) {
    for (const auto& req : selector.requirements()) {
      if (req.op != kube::LabelSelector::Operator::kIn) continue;
      size_t size = 0;
      for (const auto& value : req.values) {
        auto it = by_label_.find(LabelIndexKey(ns, req.key, value));
        if (it != by_label_.end()) size += it->second.size();
      }
      if (!narrowest || size < narrowest_size) {
        narrowest = &req;
        narrowest_size = size;
      }
    }
  }
  if (narrowest) {
    for (const auto& value : narrowest->values) {
      auto it = by_label_.find(LabelIndexKey(ns, narrowest->key, value));
      if (it == by_label_.end()) continue;
      for (const auto& key : it->second) {
        auto object = cache_.find(key);
        if (object != cache_.end() && selector.Matches(labels_of(*object->second))) {
          fn(*object->second);
        }
      }
    }
    return;
  }
  const std::string prefix = ns.empty() ? "" : ns + "/";
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    if (selector.Matches(labels_of(*it->second))) fn(*it->second);
  }
}

void Informer::IndexLocked(const std::string& key, const nlohmann::json& object, bool add) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return;
  const auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return;
  const std::string ns = meta->value("namespace", "");
  for (const auto& [label, value] : labels->items()) {
    if (!value.is_string()) continue;  // not a label value: Matches treats it as absent
    const std::string index_key = LabelIndexKey(ns, label, value.get_ref<const std::string&>());
    if (add) {
      by_label_[index_key].insert(key);
    } else if (auto it = by_label_.find(index_key); it != by_label_.end()) {
      it->second.erase(key);
      if (it->second.empty()) by_label_.erase(it);
    }
  }
}

size_t Informer::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_.size();
}

std::string Informer::last_resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resource_version_;
}

void Informer::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(sleep_mu_);
  sleep_cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void Informer::Notify(const InformerEvent& event) {
  for (const auto& h : handlers_) h(event);
}

void Informer::Run() {
  int failures = 0;
  bool need_list = true;
  auto last_list = std::chrono::steady_clock::time_point{};
  while (!stop_) {
    if (need_list || resync_requested_) {
      if (!need_list) {  // a forced re-list: coalesce requests
        const auto next = last_list + options_.min_resync_interval;
        const auto now = std::chrono::steady_clock::now();
        if (next > now) {
          SleepFor(std::chrono::duration_cast<std::chrono::milliseconds>(next - now));
          if (stop_) break;
        }
      }
      resync_requested_ = false;
      if (lists_ > 0 && options_.on_relist) options_.on_relist();
      last_list = std::chrono::steady_clock::now();
      if (!ListAndReplace()) {
        need_list = true;
        SleepFor(options_.backoff.Jittered(failures++, rng_));
        continue;
      }
      need_list = false;
      if (!resync_requested_) resync_pending_ = false;  // no request came in during the LIST
    }
    if (watches_ > 0 && options_.on_watch_restart) options_.on_watch_restart();
    switch (WatchOnce()) {
      case WatchEnd::kExpired:
        log::Info("watch expired (410 Gone): re-listing", {{"informer", name_}});
        need_list = true;
        break;
      case WatchEnd::kEnded:
        failures = 0;
        break;
      case WatchEnd::kFailed:
        SleepFor(options_.backoff.Jittered(failures++, rng_));
        break;
      case WatchEnd::kStopped:
        break;  // Stop() or Resync(): the loop condition and the flags decide
    }
  }
}

bool Informer::ListAndReplace() {
  ++lists_;
  ResourcePath path = options_.collection;
  if (!options_.label_selector.empty()) path.query["labelSelector"] = options_.label_selector;
  ListResult list = ListAll(client_, path, options_.page_size, DropManagedFields);
  if (!list.ok()) {
    log::Warning(
        "list failed; retrying with backoff",
        {{"informer", name_}, {"status", list.failure.status}, {"error", list.failure.Message()}});
    return false;
  }
  std::map<std::string, ObjectPtr> fresh;
  for (auto& item : list.items) {
    if (options_.keep && !options_.keep(item)) continue;
    std::string key = KeyOf(item);
    fresh.emplace(std::move(key), std::make_shared<const nlohmann::json>(std::move(item)));
  }
  std::vector<InformerEvent> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, obj] : fresh) {
      auto it = cache_.find(key);
      if (it == cache_.end()) {
        events.push_back({InformerEvent::Kind::kAdd, obj, nullptr});
      } else if (ResourceVersionOf(*it->second) != ResourceVersionOf(*obj)) {
        events.push_back({InformerEvent::Kind::kUpdate, obj, it->second});
      }
    }
    for (const auto& [key, obj] : cache_) {
      if (!fresh.count(key)) events.push_back({InformerEvent::Kind::kDelete, obj, obj});
    }
    cache_ = std::move(fresh);
    resource_version_ = list.resource_version;
    if (options_.index_labels) {
      by_label_.clear();
      for (const auto& [key, obj] : cache_) IndexLocked(key, *obj, true);
    }
  }
  for (const auto& e : events) Notify(e);
  if (!synced_) {
    log::Info("cache synced", {{"informer", name_},
                               {"objects", Size()},
                               {"pages", list.pages},
                               {"resourceVersion", list.resource_version}});
    std::lock_guard<std::mutex> lock(sleep_mu_);
    synced_ = true;
    sleep_cv_.notify_all();
  }
  return true;
}

Informer::WatchEnd Informer::WatchOnce() {
  ++watches_;
  ResourcePath path = options_.collection;
  if (!options_.label_selector.empty()) path.query["labelSelector"] = options_.label_selector;
  std::uniform_int_distribution<int64_t> spread(options_.watch_timeout.count(),
                                                2 * options_.watch_timeout.count());
  path.query["watch"] = "true";
  path.query["allowWatchBookmarks"] = "true";
  path.query["resourceVersion"] = last_resource_version();
  path.query["timeoutSeconds"] = std::to_string(spread(rng_));

  auto control = std::make_shared<WatchControl>();
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    if (stop_ || resync_requested_) return WatchEnd::kStopped;
    control_ = control;
  }
  bool expired = false;
  std::string failure;
  ApiResponse r = client_.Watch(
      path.Url(),
      [&](const nlohmann::json& raw) {
        auto event = DecodeWatchEvent(raw);
        if (!event) {
          failure = event.error().message;
          return false;
        }
        if (event->IsGone()) {
          expired = true;
          return false;
        }
        if (event->type == WatchEvent::Type::kError) {
          failure =
              "watch ERROR " + std::to_string(event->error_code) + ": " + event->error_message;
          return false;
        }
        Apply(event.value());
        return !stop_.load();
      },
      control.get());
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    control_.reset();
  }
  if (stop_ || control->cancelled()) return WatchEnd::kStopped;
  if (expired || r.status == 410) return WatchEnd::kExpired;
  if (!failure.empty() || !r.error.empty() || r.status != 200) {
    log::Warning("watch failed; reconnecting with backoff",
                 {{"informer", name_},
                  {"status", r.status},
                  {"error", failure.empty() ? r.Message() : failure}});
    return WatchEnd::kFailed;
  }
  return WatchEnd::kEnded;
}

void Informer::Apply(const WatchEvent& event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    resource_version_ = event.resource_version;
  }
  if (event.type == WatchEvent::Type::kBookmark) return;
  nlohmann::json object = event.object;
  DropManagedFields(object);
  const std::string key = KeyOf(object);
  if (event.type == WatchEvent::Type::kDeleted || (options_.keep && !options_.keep(object))) {
    Remove(key);
    return;
  }
  Upsert(std::make_shared<const nlohmann::json>(std::move(object)));
}

void Informer::Upsert(ObjectPtr object) {
  const std::string key = KeyOf(*object);
  ObjectPtr old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = cache_[key];
    old = slot;
    slot = object;
    if (options_.index_labels) {
      if (old) IndexLocked(key, *old, false);
      IndexLocked(key, *object, true);
    }
  }
  Notify({old ? InformerEvent::Kind::kUpdate : InformerEvent::Kind::kAdd, object, old});
}

void Informer::Remove(const std::string& key) {
  ObjectPtr old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it == cache_.end()) return;
    old = it->second;
    cache_.erase(it);
    if (options_.index_labels) IndexLocked(key, *old, false);
  }
  Notify({InformerEvent::Kind::kDelete, old, old});
}

}  // namespace mm::kube
