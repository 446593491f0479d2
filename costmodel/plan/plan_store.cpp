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

ResultStore::ResultStore(const std::string& path, const std::string& fingerprint)
    : db_(path, kSchema, kInsert, fingerprint) {}

void ResultStore::set_value(const std::string& name, const std::string& value) {
  db_.set_value(name, value);
}

std::optional<std::string> ResultStore::read_value(const std::string& path,
                                                   const std::string& name) {
  return SearchDb::read_value(path, name);
}

std::map<std::string, Outcome> ResultStore::load() const {
  std::map<std::string, Outcome> out;
  db_.each_row(kSelect, [&](sqlite3_stmt* st) { out.emplace(column_text(st, 0), read_outcome(st)); });
  return out;
}

namespace {

void bind_row(sqlite3_stmt* st, const Candidate& c, const Outcome& o) {
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

}  // namespace

void ResultStore::add(const std::vector<const Candidate*>& candidates,
                      const std::vector<Outcome>& outcomes) {
  db_.insert_rows(candidates.size(), [&](std::size_t i, sqlite3_stmt* st) {
    bind_row(st, *candidates[i], outcomes[i]);
  });
}

}  // namespace llmsim::plan
