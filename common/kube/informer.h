#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/kube/backoff.h"
#include "common/kube/kube_client.h"
#include "common/kube/label_selector.h"
#include "common/kube/resource_path.h"
#include "common/kube/watch_event.h"

namespace mm::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// What a handler hears. `old` is set for updates and deletes (the cached copy).
struct InformerEvent {
  enum class Kind { kAdd, kUpdate, kDelete };
  Kind kind;
  ObjectPtr object;
  ObjectPtr old;
};

struct InformerOptions {
  ResourcePath collection;     // e.g. {"v1", "pods"}; ns empty = all namespaces
  std::string label_selector;  // server-side filter
  // Client-side filter: objects for which this returns false are not cached (and
  // a cached object that stops passing is reported deleted). Null keeps all.
  // Called on the informer's thread; must be thread-safe against its own inputs.
  std::function<bool(const nlohmann::json&)> keep;
  int64_t page_size = 500;
  // Each watch asks the server to end it after a random time in [t, 2t), as
  // client-go's reflector does, so connections are spread and refreshed.
  std::chrono::seconds watch_timeout{300};
  // Reconnects after errors wait with this backoff (client-go: 800 ms .. 30 s, jittered).
  Backoff backoff{std::chrono::milliseconds(800), std::chrono::seconds(30), 2.0, 1.0};
  // A forced re-list (Resync) happens at most this often; requests in between coalesce.
  std::chrono::milliseconds min_resync_interval{1000};
  std::function<void()> on_watch_restart;  // each new watch after the first (metrics)
  std::function<void()> on_relist;         // each LIST after the first (metrics)
  // Index the cached objects by label value (client-go's indexer), so that
  // ForEachSelected looks only at the objects a selector can select: the
  // operator's pods, where each monitor would otherwise scan every pod of its
  // namespace on every reconcile and evaluation (M monitors x P pods).
  bool index_labels = false;
};

// A reflector plus a store (client-go's SharedIndexInformer, small): LISTs in
// pages, then WATCHes from the list's resourceVersion with allowWatchBookmarks;
// re-lists on 410 Gone; reconnects with jittered backoff on other errors; keeps
// the objects in a local cache keyed "namespace/name"; tells handlers about
// adds, updates and deletes (on its own thread, so handlers must be quick: they
// enqueue keys).
class Informer {
 public:
  Informer(KubeClient& client, std::string name, InformerOptions options);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  using Handler = std::function<void(const InformerEvent&)>;
  void AddHandler(Handler handler);  // before Start()

  void Start();
  void Stop();  // ends the watch at once and joins the thread

  bool HasSynced() const { return synced_.load(); }
  // Waits until the first LIST is in the cache; false on timeout or Stop().
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // Asks for a fresh LIST (the client-side filter changed). Coalesced.
  void Resync();
  // True from Resync() until a LIST that started after it is in the cache:
  // until then the cache may lack objects the new filter wants.
  bool ResyncPending() const { return resync_pending_.load(); }

  ObjectPtr Get(const std::string& key) const;
  std::vector<ObjectPtr> List(const std::string& ns = "") const;  // "" = all namespaces
  // Calls `fn` for each cached object of `ns` ("" = all) under the cache's lock,
  // without copying: `fn` must be quick and must not call back into the informer.
  void ForEach(const std::string& ns, const std::function<void(const nlohmann::json&)>& fn) const;
  // Calls `fn` for each cached object of `ns` that `selector` selects (same rules
  // as ForEach). With options.index_labels and a selector that requires label
  // values (matchLabels, `In`), only the objects carrying one of the values of
  // its narrowest such requirement are looked at; otherwise every object of `ns`.
  void ForEachSelected(const std::string& ns, const kube::LabelSelector& selector,
                       const std::function<void(const nlohmann::json&)>& fn) const;
  size_t Size() const;

  const std::string& name() const { return name_; }
  std::string last_resource_version() const;
  int64_t lists() const { return lists_.load(); }
  int64_t watches() const { return watches_.load(); }

  static std::string KeyOf(const nlohmann::json& object);

 private:
  void Run();
  bool ListAndReplace();                                        // false on failure
  enum class WatchEnd { kExpired, kEnded, kFailed, kStopped };  // what to do next
  WatchEnd WatchOnce();
  void Apply(const WatchEvent& event);
  void Upsert(ObjectPtr object);
  void Remove(const std::string& key);
  void Notify(const InformerEvent& event);
  // Adds (or removes) `object`'s labels to the label index under `key`.
  void IndexLocked(const std::string& key, const nlohmann::json& object, bool add);
  void SleepFor(std::chrono::milliseconds d);

  KubeClient& client_;
  const std::string name_;
  const InformerOptions options_;
  std::vector<Handler> handlers_;

  mutable std::mutex mu_;  // guards cache_ and resource_version_
  std::map<std::string, ObjectPtr> cache_;
  // With options_.index_labels: "namespace/label=value" -> cache keys.
  std::unordered_map<std::string, std::set<std::string>> by_label_;
  std::string resource_version_;

  std::atomic<bool> synced_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> resync_requested_{false};
  std::atomic<bool> resync_pending_{false};
  std::atomic<int64_t> lists_{0};
  std::atomic<int64_t> watches_{0};
  mutable std::mutex sleep_mu_;
  mutable std::condition_variable sleep_cv_;
  std::mutex control_mu_;
  std::shared_ptr<WatchControl> control_;  // the running watch
  std::mt19937 rng_;
  std::thread thread_;
};

}  // namespace mm::kube
