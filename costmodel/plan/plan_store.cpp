#include "costmodel/plan/plan_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::plan {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS search (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
  key TEXT PRIMARY KEY,
  gpu TEXT NOT NULL, gpus INTEGER NOT NULL,
  tp INTEGER, pp INTEGER, vpp INTEGER, dp INTEGER, cp INTEGER, ep INTEGER,
  micro_batch_size INTEGER, zero INTEGER, schedule TEXT, recompute TEXT, precision TEXT,
  status TEXT NOT NULL,          -- 'evaluated' or 'pruned'
  reason TEXT NOT NULL,          -- '' (evaluated), 'plan', 'memory', 'deadline', 'budget', 'bound'
  detail TEXT NOT NULL,
  peak_memory_bytes REAL,
  step_time_s REAL, micro_batches INTEGER, seconds REAL, days REAL, gpu_hours REAL,
  cost_usd REAL, mfu_bf16 REAL,
  compute_s REAL, exposed_comm_s REAL, bubble_s REAL, dp_sync_s REAL, optimizer_s REAL
);
)sql";

constexpr const char* kInsert =
    "INSERT OR IGNORE INTO candidates VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
    "?30)";

constexpr const char* kSelect =
    "SELECT key, reason, detail, peak_memory_bytes, step_time_s, micro_batches, seconds, "
    "gpu_hours, cost_usd, mfu_bf16, compute_s, exposed_comm_s, bubble_s, dp_sync_s, optimizer_s "
    "FROM candidates";

std::string column_text(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

Outcome read_outcome(sqlite3_stmt* st) {
  Outcome o;
  o.reason = parse_prune_reason(column_text(st, 1)).value_or(PruneReason::kPlan);
  o.detail = column_text(st, 2);
  o.peak_memory_bytes = sqlite3_column_double(st, 3);
  Evaluation& e = o.eval;
  e.step_time_s = sqlite3_column_double(st, 4);
  e.micro_batches = sqlite3_column_int(st, 5);
  e.seconds = sqlite3_column_double(st, 6);
  e.gpu_hours = sqlite3_column_double(st, 7);
  e.cost_usd = sqlite3_column_double(st, 8);
  e.mfu_bf16 = sqlite3_column_double(st, 9);
  e.breakdown.compute_s = sqlite3_column_double(st, 10);
  e.breakdown.exposed_comm_s = sqlite3_column_double(st, 11);
  e.breakdown.bubble_s = sqlite3_column_double(st, 12);
  e.breakdown.dp_sync_s = sqlite3_column_double(st, 13);
  e.breakdown.optimizer_s = sqlite3_column_double(st, 14);
  e.peak_memory_bytes = o.evaluated() ? o.peak_memory_bytes : 0.0;
  return o;
}

}  // namespace

ResultStore::ResultStore(const std::string& path, const std::string& fingerprint) : path_(path) {
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("--db {}: cannot open: {}", path, why));
  }
  try {
    exec("PRAGMA synchronous = NORMAL");
    exec(kSchema);
    check_fingerprint(fingerprint);
    if (sqlite3_prepare_v2(db_, kInsert, -1, &insert_, nullptr) != SQLITE_OK) exec("SELECT 0");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultStore::~ResultStore() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

void ResultStore::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return;
  const std::string why = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  throw UserError(fmt::format("--db {}: {}", path_, why));
}

void ResultStore::check_fingerprint(const std::string& fingerprint) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT value FROM search WHERE name = 'fingerprint'", -1, &st, nullptr);
  const bool found = sqlite3_step(st) == SQLITE_ROW;
  const std::string stored = found ? column_text(st, 0) : "";
  sqlite3_finalize(st);
  if (found && stored != fingerprint) {
    throw UserError(
        fmt::format("--db {}: holds the results of another search ({}); this one is "
                    "({}); use another --db file, or delete this one",
                    path_, stored, fingerprint));
  }
  // Written on every open: a read-only file fails here, before any work is done.
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO search VALUES ('fingerprint', ?1)", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, fingerprint.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    throw UserError(fmt::format("--db {}: cannot write: {}", path_, sqlite3_errmsg(db_)));
  }
}

void ResultStore::set_value(const std::string& name, const std::string& value) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO search VALUES (?1, ?2)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    throw UserError(fmt::format("--db {}: cannot write: {}", path_, sqlite3_errmsg(db_)));
  }
}

std::optional<std::string> ResultStore::read_value(const std::string& path,
                                                   const std::string& name) {
  sqlite3* db = nullptr;
  std::optional<std::string> out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT value FROM search WHERE name = ?1", -1, &st, nullptr) ==
        SQLITE_OK) {
      sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) == SQLITE_ROW) out = column_text(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

std::map<std::string, Outcome> ResultStore::load() const {
  std::map<std::string, Outcome> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, kSelect, -1, &st, nullptr) != SQLITE_OK) exec(kSelect);
  while (sqlite3_step(st) == SQLITE_ROW) out.emplace(column_text(st, 0), read_outcome(st));
  sqlite3_finalize(st);
  return out;
}

void ResultStore::bind_row(const Candidate& c, const Outcome& o) {
  sqlite3_stmt* st = insert_;
  const ParallelPlan& p = c.plan;
  auto text = [st](int i, std::string_view s) {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  text(1, c.key);
  text(2, c.gpu);
  const int ints[] = {c.gpus,      p.tp, p.pp, p.vpp, p.dp, p.cp, p.ep, p.micro_batch_size,
                      p.zero_stage};
  for (int i = 0; i < 9; ++i) sqlite3_bind_int(st, 3 + i, ints[i]);
  text(12, schedule_method_name(p.schedule));
  text(13, recompute_policy_name(c.recompute));
  text(14, make_recipe(c.precision).name());
  text(15, o.evaluated() ? "evaluated" : "pruned");
  text(16, prune_reason_name(o.reason));
  text(17, o.detail);
  const Evaluation& e = o.eval;
  const double reals[] = {o.peak_memory_bytes, e.step_time_s};
  sqlite3_bind_double(st, 18, reals[0]);
  sqlite3_bind_double(st, 19, reals[1]);
  sqlite3_bind_int(st, 20, e.micro_batches);
  const double rest[] = {e.seconds,
                         e.days(),
                         e.gpu_hours,
                         e.cost_usd,
                         e.mfu_bf16,
                         e.breakdown.compute_s,
                         e.breakdown.exposed_comm_s,
                         e.breakdown.bubble_s,
                         e.breakdown.dp_sync_s,
                         e.breakdown.optimizer_s};
  for (int i = 0; i < 10; ++i) sqlite3_bind_double(st, 21 + i, rest[i]);
}

void ResultStore::add(const std::vector<const Candidate*>& candidates,
                      const std::vector<Outcome>& outcomes) {
  exec("BEGIN IMMEDIATE");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
    bind_row(*candidates[i], outcomes[i]);
    if (sqlite3_step(insert_) != SQLITE_DONE) {
      const std::string why = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      throw UserError(fmt::format("--db {}: cannot write: {}", path_, why));
    }
  }
  exec("COMMIT");
}

}  // namespace llmsim::plan
