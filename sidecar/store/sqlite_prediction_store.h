#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sidecar/store/prediction_store.h"
#include "sidecar/store/store_health.h"

struct sqlite3;

namespace mm::sidecar {

struct SqliteStoreOptions {
  std::string path;  // the database file on the injected volume; ":memory:" for tests only
  // "NORMAL" (default) or "FULL". In WAL mode NORMAL makes every commit survive the
  // process being killed (the WAL is written before the commit returns; only the
  // fsync waits for the checkpoint); a power loss of the node can lose the last
  // commits, but the pod's emptyDir does not outlive the node anyway. FULL also
  // fsyncs every commit (see docs/accuracy.md for both measured).
  std::string synchronous = "NORMAL";
  int cache_kib = 8192;  // SQLite page cache: memory stays bounded whatever the traffic
  StoreLimits limits;
};

// PredictionStore on SQLite in WAL mode. One connection behind a mutex: the
// writer thread, label requests and the sweeper take turns; each call is one
// transaction. Every write's outcome goes to health(): a full volume (SQLITE_FULL,
// ENOSPC, EDQUOT) is told apart from other failures.
class SqlitePredictionStore final : public PredictionStore {
 public:
  static Result<std::unique_ptr<SqlitePredictionStore>> Open(SqliteStoreOptions options);
  ~SqlitePredictionStore() override;
  SqlitePredictionStore(const SqlitePredictionStore&) = delete;
  SqlitePredictionStore& operator=(const SqlitePredictionStore&) = delete;

  Result<PutResult> Put(std::span<const metrics::Prediction> predictions,
                        metrics::TimeMs now) override;
  Result<ApplyLabelsResult> ApplyLabels(std::span<const metrics::Label> labels,
                                        metrics::TimeMs now) override;
  Result<SweepResult> Sweep(metrics::TimeMs now) override;
  StoreStats Stats() const override;
  Status ForEachJoined(metrics::TimeMs since,
                       const std::function<void(const metrics::JoinedLabel&)>& fn) override;

  // New bounds (a config reload): a lower maxPending evicts at the next Put, a
  // shorter maxLabelDelay expires at the next Sweep. Limits must be positive.
  void SetLimits(const StoreLimits& limits);

  // Labels the bound on early labels pushed out before their prediction came.
  int64_t early_labels_dropped_by_bound() const;
  const StoreHealth& health() const { return health_; }

 private:
  struct Statements;
  SqliteStoreOptions options_;
  explicit SqlitePredictionStore(SqliteStoreOptions options);
  Status Init();
  Status Exec(const char* sql);
  Status Rollback(Status cause);
  // The three writes, with mu_ held; their public callers account for the outcome.
  Result<PutResult> PutLocked(std::span<const metrics::Prediction> predictions,
                              metrics::TimeMs now);
  Result<ApplyLabelsResult> ApplyLabelsLocked(std::span<const metrics::Label> labels,
                                              metrics::TimeMs now);
  Result<SweepResult> SweepLocked(metrics::TimeMs now);
  // The error of the call that just failed; notes whether the volume was full.
  Error Failure(std::string_view what);
  // Runs `write` (one of the three above) with mu_ held and tells health_ how it
  // went: failed, or committed changes.
  template <typename Write>
  auto Accounted(StoreOperation operation, Write write);

  mutable std::mutex mu_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> stmts_;
  StoreStats stats_;
  int64_t early_dropped_by_bound_ = 0;
  bool failed_full_ = false;  // the last Failure was a full volume
  StoreHealth health_;
};

}  // namespace mm::sidecar
