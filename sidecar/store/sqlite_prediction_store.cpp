#include "sidecar/store/sqlite_prediction_store.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace mm::sidecar {
namespace {

// Row states. `open` (1 while pending) is its own indexed column so that
// "oldest pending" and "oldest tombstone" are both index range scans.
constexpr int kPending = 0;
constexpr int kLabelled = 1;
constexpr int kExpired = 2;
constexpr int kEvicted = 3;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS predictions(
  id TEXT PRIMARY KEY,
  ts INTEGER NOT NULL,
  revision TEXT NOT NULL,
  value REAL NOT NULL,
  scores BLOB,
  open INTEGER NOT NULL,
  state INTEGER NOT NULL,
  label REAL,
  resolved_ts INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS predictions_by_age ON predictions(open, ts);
CREATE TABLE IF NOT EXISTS early_labels(
  id TEXT PRIMARY KEY,
  label REAL NOT NULL,
  received INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS early_labels_by_age ON early_labels(received);
)sql";

Error SqlError(sqlite3* db, std::string_view what) {
  return Error{"prediction store: " + std::string(what) + ": " + sqlite3_errmsg(db)};
}

// A prepared statement, reset on every use.
class Stmt {
 public:
  Stmt() = default;
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status Prepare(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) {
      return SqlError(db, std::string("preparing ") + sql);
    }
    return OkStatus();
  }
  // Starts a use: clears bindings and the previous step.
  Stmt& Use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& BindScores(int i, const std::vector<double>& scores) {
    if (scores.empty()) {
      sqlite3_bind_null(s_, i);
    } else {
      sqlite3_bind_blob(s_, i, scores.data(), static_cast<int>(scores.size() * sizeof(double)),
                        SQLITE_STATIC);
    }
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(s_); }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Real(int col) const { return sqlite3_column_double(s_, col); }
  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }
  std::vector<double> Scores(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    const size_t n = static_cast<size_t>(sqlite3_column_bytes(s_, col)) / sizeof(double);
    std::vector<double> out(n);
    if (n > 0) std::memcpy(out.data(), p, n * sizeof(double));
    return out;
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

struct SqlitePredictionStore::Statements {
  Stmt begin, commit;
  Stmt insert, find_early, join_early, delete_early;
  Stmt join, state_of, expire_one, hold_early;
  Stmt evict_oldest, drop_oldest_tombstones, drop_oldest_early;
  Stmt expire, drop_tombstones, drop_stale_early;
  Stmt joined_since;
};

SqlitePredictionStore::SqlitePredictionStore(SqliteStoreOptions options)
    : options_(std::move(options)), stmts_(std::make_unique<Statements>()) {}

SqlitePredictionStore::~SqlitePredictionStore() {
  stmts_.reset();  // statements before the connection
  if (db_ != nullptr) sqlite3_close(db_);
}

Result<std::unique_ptr<SqlitePredictionStore>> SqlitePredictionStore::Open(
    SqliteStoreOptions options) {
  if (options.synchronous != "NORMAL" && options.synchronous != "FULL") {
    return Error{"prediction store: synchronous \"" + options.synchronous +
                 "\" is not supported (use NORMAL or FULL)"};
  }
  if (options.limits.max_pending < 1 || options.limits.max_label_delay < 1) {
    return Error{"prediction store: maxPending and maxLabelDelay must be positive"};
  }
  std::unique_ptr<SqlitePredictionStore> store(new SqlitePredictionStore(std::move(options)));
  if (auto s = store->Init(); !s) return s.error();
  return store;
}

void SqlitePredictionStore::SetLimits(const StoreLimits& limits) {
  std::lock_guard lock(mu_);
  options_.limits = limits;
}

Status SqlitePredictionStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e{std::string("prediction store: ") + sql + ": " + (msg ? msg : "failed")};
    sqlite3_free(msg);
    return e;
  }
  return OkStatus();
}

Status SqlitePredictionStore::Init() {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(options_.path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    return SqlError(db_, "opening " + options_.path);
  }
  sqlite3_busy_timeout(db_, 5000);
  const std::string pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=" + options_.synchronous +
      "; PRAGMA cache_size=-" + std::to_string(options_.cache_kib) + "; PRAGMA temp_store=MEMORY;";
  if (auto s = Exec(pragmas.c_str()); !s) return s;
  if (auto s = Exec(kSchema); !s) return s;

  auto& st = *stmts_;
  const std::pair<Stmt*, const char*> all[] = {
      {&st.begin, "BEGIN IMMEDIATE"},
      {&st.commit, "COMMIT"},
      {&st.insert,
       "INSERT OR IGNORE INTO predictions(id, ts, revision, value, scores, open, state) "
       "VALUES(?1, ?2, ?3, ?4, ?5, 1, 0)"},
      {&st.find_early, "SELECT label FROM early_labels WHERE id = ?1"},
      {&st.join_early,
       "UPDATE predictions SET open = 0, state = 1, label = ?2, resolved_ts = ?3 WHERE id = ?1"},
      {&st.delete_early, "DELETE FROM early_labels WHERE id = ?1"},
      {&st.join,
       "UPDATE predictions SET open = 0, state = 1, label = ?2, resolved_ts = ?3 "
       "WHERE id = ?1 AND open = 1 AND ts >= ?4 RETURNING ts, revision, value, scores"},
      {&st.state_of, "SELECT state FROM predictions WHERE id = ?1"},
      {&st.expire_one,
       "UPDATE predictions SET open = 0, state = 2, resolved_ts = ?2 WHERE id = ?1 AND open = 1"},
      {&st.hold_early,
       "INSERT OR IGNORE INTO early_labels(id, label, received) VALUES(?1, ?2, ?3)"},
      {&st.evict_oldest,
       "UPDATE predictions SET open = 0, state = 3, resolved_ts = ?2 WHERE id IN "
       "(SELECT id FROM predictions WHERE open = 1 ORDER BY ts LIMIT ?1)"},
      {&st.drop_oldest_tombstones,
       "DELETE FROM predictions WHERE id IN "
       "(SELECT id FROM predictions WHERE open = 0 ORDER BY ts LIMIT ?1)"},
      {&st.drop_oldest_early,
       "DELETE FROM early_labels WHERE id IN "
       "(SELECT id FROM early_labels ORDER BY received LIMIT ?1)"},
      {&st.expire,
       "UPDATE predictions SET open = 0, state = 2, resolved_ts = ?2 WHERE open = 1 AND ts < ?1"},
      {&st.drop_tombstones, "DELETE FROM predictions WHERE open = 0 AND ts < ?1"},
      {&st.drop_stale_early, "DELETE FROM early_labels WHERE received < ?1"},
      {&st.joined_since,
       "SELECT id, ts, revision, value, scores, label, resolved_ts FROM predictions "
       "WHERE state = 1 AND resolved_ts >= ?1 ORDER BY resolved_ts"},
  };
  for (const auto& [stmt, sql] : all) {
    if (auto s = stmt->Prepare(db_, sql); !s) return s;
  }
  // The counters the bounds are enforced with, from what survived a restart.
  Stmt count;
  const std::pair<int64_t*, const char*> counts[] = {
      {&stats_.pending, "SELECT count(*) FROM predictions WHERE open = 1"},
      {&stats_.resolved, "SELECT count(*) FROM predictions WHERE open = 0"},
      {&stats_.early_labels, "SELECT count(*) FROM early_labels"},
  };
  for (const auto& [out, sql] : counts) {
    Stmt c;
    if (auto s = c.Prepare(db_, sql); !s) return s;
    if (c.Use().Step() != SQLITE_ROW) return SqlError(db_, sql);
    *out = c.Int(0);
  }
  return OkStatus();
}

Error SqlitePredictionStore::Failure(std::string_view what) {
  // The extended code and errno now: the ROLLBACK that follows overwrites them.
  const int code = sqlite3_extended_errcode(db_);
  const int system = sqlite3_system_errno(db_);
  failed_full_ = (code & 0xff) == SQLITE_FULL ||
                 ((code & 0xff) == SQLITE_IOERR && (system == ENOSPC || system == EDQUOT));
  return SqlError(db_, what);
}

template <typename Write>
auto SqlitePredictionStore::Accounted(StoreOperation operation, Write write) {
  std::lock_guard lock(mu_);
  const int64_t changes_before = sqlite3_total_changes64(db_);
  auto result = write();
  if (!result) {
    health_.Failed(operation, failed_full_ ? StoreFailure::kFull : StoreFailure::kError,
                   result.error().message);
  } else if (sqlite3_total_changes64(db_) > changes_before) {
    health_.Committed();
  }
  return result;
}

Status SqlitePredictionStore::Rollback(Status cause) {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return cause;
}

Result<PutResult> SqlitePredictionStore::Put(std::span<const metrics::Prediction> predictions,
                                             metrics::TimeMs now) {
  return Accounted(StoreOperation::kPredictions, [&] { return PutLocked(predictions, now); });
}

Result<PutResult> SqlitePredictionStore::PutLocked(std::span<const metrics::Prediction> predictions,
                                                   metrics::TimeMs now) {
  auto& st = *stmts_;
  PutResult out;
  out.stored.assign(predictions.size(), false);
  StoreStats next = stats_;
  if (st.begin.Use().Step() != SQLITE_DONE) return Failure("BEGIN");
  for (size_t i = 0; i < predictions.size(); ++i) {
    const metrics::Prediction& p = predictions[i];
    if (st.insert.Use()
            .Bind(1, p.id)
            .Bind(2, p.time)
            .Bind(3, p.model_revision)
            .Bind(4, p.value)
            .BindScores(5, p.scores)
            .Step() != SQLITE_DONE) {
      return Rollback(Failure("storing a prediction")).error();
    }
    if (sqlite3_changes(db_) == 0) {
      ++out.duplicate_ids;
      continue;
    }
    ++out.written;
    out.stored[i] = true;
    ++next.pending;
    if (next.early_labels == 0) continue;
    if (st.find_early.Use().Bind(1, p.id).Step() != SQLITE_ROW) continue;
    const double label = st.find_early.Real(0);
    st.find_early.Use();
    if (st.join_early.Use().Bind(1, p.id).Bind(2, label).Bind(3, now).Step() != SQLITE_DONE ||
        st.delete_early.Use().Bind(1, p.id).Step() != SQLITE_DONE) {
      return Rollback(Failure("joining an early label")).error();
    }
    --next.early_labels;
    --next.pending;
    ++next.resolved;
    out.early.push_back(metrics::JoinedLabel{p, label, now});
  }
  if (next.pending > options_.limits.max_pending) {
    if (st.evict_oldest.Use()
            .Bind(1, next.pending - options_.limits.max_pending)
            .Bind(2, now)
            .Step() != SQLITE_DONE) {
      return Rollback(Failure("evicting the oldest predictions")).error();
    }
    out.evicted = sqlite3_changes(db_);
    next.pending -= out.evicted;
    next.resolved += out.evicted;
  }
  if (next.resolved > options_.limits.max_pending) {
    if (st.drop_oldest_tombstones.Use()
            .Bind(1, next.resolved - options_.limits.max_pending)
            .Step() != SQLITE_DONE) {
      return Rollback(Failure("dropping the oldest resolved predictions")).error();
    }
    next.resolved -= sqlite3_changes(db_);
  }
  if (st.commit.Use().Step() != SQLITE_DONE) {
    return Rollback(Failure("committing predictions")).error();
  }
  stats_ = next;
  return out;
}

Result<ApplyLabelsResult> SqlitePredictionStore::ApplyLabels(std::span<const metrics::Label> labels,
                                                             metrics::TimeMs now) {
  return Accounted(StoreOperation::kLabels, [&] { return ApplyLabelsLocked(labels, now); });
}

Result<ApplyLabelsResult> SqlitePredictionStore::ApplyLabelsLocked(
    std::span<const metrics::Label> labels, metrics::TimeMs now) {
  auto& st = *stmts_;
  ApplyLabelsResult out;
  out.outcomes.reserve(labels.size());
  StoreStats next = stats_;
  int64_t dropped = 0;
  const metrics::TimeMs oldest_joinable = now - options_.limits.max_label_delay;
  if (st.begin.Use().Step() != SQLITE_DONE) return Failure("BEGIN");
  for (const metrics::Label& l : labels) {
    auto& join = st.join.Use().Bind(1, l.id).Bind(2, l.value).Bind(3, now).Bind(4, oldest_joinable);
    const int rc = join.Step();
    if (rc == SQLITE_ROW) {
      metrics::JoinedLabel j{
          metrics::Prediction{l.id, join.Int(0), join.Text(1), join.Real(2), join.Scores(3)},
          l.value, now};
      if (join.Step() != SQLITE_DONE) return Rollback(Failure("joining a label")).error();
      out.joined.push_back(std::move(j));
      out.outcomes.push_back(LabelOutcome::kJoined);
      --next.pending;
      ++next.resolved;
      continue;
    }
    if (rc != SQLITE_DONE) return Rollback(Failure("joining a label")).error();
    auto& state_of = st.state_of.Use().Bind(1, l.id);
    if (state_of.Step() == SQLITE_ROW) {
      const int64_t state = state_of.Int(0);
      state_of.Use();
      if (state == kLabelled) {
        out.outcomes.push_back(LabelOutcome::kDuplicate);
      } else if (state == kPending) {
        // Past max_label_delay but not swept yet: it expires now, exactly once.
        if (st.expire_one.Use().Bind(1, l.id).Bind(2, now).Step() != SQLITE_DONE) {
          return Rollback(Failure("expiring a prediction")).error();
        }
        --next.pending;
        ++next.resolved;
        ++out.expired_now;
        out.outcomes.push_back(LabelOutcome::kExpired);
      } else {  // kExpired or kEvicted
        out.outcomes.push_back(LabelOutcome::kExpired);
      }
      continue;
    }
    // Not seen (yet): hold it in case its prediction is still on its way.
    if (st.hold_early.Use().Bind(1, l.id).Bind(2, l.value).Bind(3, now).Step() != SQLITE_DONE) {
      return Rollback(Failure("holding an early label")).error();
    }
    next.early_labels += sqlite3_changes(db_);
    out.outcomes.push_back(LabelOutcome::kUnknown);
  }
  if (next.early_labels > options_.limits.max_early_labels) {
    if (st.drop_oldest_early.Use()
            .Bind(1, next.early_labels - options_.limits.max_early_labels)
            .Step() != SQLITE_DONE) {
      return Rollback(Failure("dropping the oldest early labels")).error();
    }
    dropped = sqlite3_changes(db_);
    next.early_labels -= dropped;
  }
  if (st.commit.Use().Step() != SQLITE_DONE) {
    return Rollback(Failure("committing labels")).error();
  }
  stats_ = next;
  early_dropped_by_bound_ += dropped;
  return out;
}

Result<SweepResult> SqlitePredictionStore::Sweep(metrics::TimeMs now) {
  return Accounted(StoreOperation::kSweep, [&] { return SweepLocked(now); });
}

Result<SweepResult> SqlitePredictionStore::SweepLocked(metrics::TimeMs now) {
  auto& st = *stmts_;
  SweepResult out;
  StoreStats next = stats_;
  const metrics::TimeMs delay = options_.limits.max_label_delay;
  if (st.begin.Use().Step() != SQLITE_DONE) return Failure("BEGIN");
  if (st.expire.Use().Bind(1, now - delay).Bind(2, now).Step() != SQLITE_DONE) {
    return Rollback(Failure("expiring predictions")).error();
  }
  out.expired = sqlite3_changes(db_);
  next.pending -= out.expired;
  next.resolved += out.expired;
  if (st.drop_tombstones.Use().Bind(1, now - 2 * delay).Step() != SQLITE_DONE) {
    return Rollback(Failure("dropping resolved predictions")).error();
  }
  next.resolved -= sqlite3_changes(db_);
  if (st.drop_stale_early.Use().Bind(1, now - options_.limits.early_label_grace).Step() !=
      SQLITE_DONE) {
    return Rollback(Failure("dropping stale early labels")).error();
  }
  out.early_labels_dropped = sqlite3_changes(db_);
  next.early_labels -= out.early_labels_dropped;
  if (st.commit.Use().Step() != SQLITE_DONE) return Rollback(Failure("COMMIT")).error();
  stats_ = next;
  return out;
}

StoreStats SqlitePredictionStore::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

int64_t SqlitePredictionStore::early_labels_dropped_by_bound() const {
  std::lock_guard lock(mu_);
  return early_dropped_by_bound_;
}

Status SqlitePredictionStore::ForEachJoined(
    metrics::TimeMs since, const std::function<void(const metrics::JoinedLabel&)>& fn) {
  std::lock_guard lock(mu_);
  auto& q = stmts_->joined_since.Use().Bind(1, since);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    fn(metrics::JoinedLabel{
        metrics::Prediction{q.Text(0), q.Int(1), q.Text(2), q.Real(3), q.Scores(4)}, q.Real(5),
        q.Int(6)});
  }
  q.Use();
  if (rc != SQLITE_DONE) return Failure("reading joined predictions");
  return OkStatus();
}

}  // namespace mm::sidecar
