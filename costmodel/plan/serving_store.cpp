#include "costmodel/plan/serving_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "sim/check.hpp"

namespace llmsim::plan {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS search (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS serving_candidates (
  key TEXT PRIMARY KEY,
  gpu TEXT NOT NULL,
  disaggregated INTEGER NOT NULL, prefill_nodes INTEGER, prefill_tp INTEGER,
  nodes INTEGER, tp INTEGER, ep INTEGER, max_batch INTEGER,
  status TEXT NOT NULL,          -- 'evaluated' or 'pruned'
  reason TEXT NOT NULL,          -- why pruned ('' when evaluated)
  gpus INTEGER, dp INTEGER, weight_gib REAL, kv_tokens_per_rank INTEGER,
  ttft_p90 REAL, tpot_p90 REAL, ttft_p99 REAL, tpot_p99 REAL, attainment REAL,
  rate_scale REAL, meets INTEGER,
  usd_per_m_at_load REAL, usd_per_m_at_capacity REAL, usd_per_m_output REAL,
  usd_per_m_input REAL, usd_per_hour REAL
);
)sql";

constexpr int kColumns = 27;
constexpr const char* kSelect =
    "SELECT key, status, reason, gpus, dp, weight_gib, kv_tokens_per_rank, ttft_p90, tpot_p90, "
    "ttft_p99, tpot_p99, attainment, rate_scale, meets, usd_per_m_at_load, "
    "usd_per_m_at_capacity, usd_per_m_output, usd_per_m_input, usd_per_hour "
    "FROM serving_candidates";

ServingOutcome read_outcome(sqlite3_stmt* st) {
  ServingOutcome o;
  o.pruned = column_text(st, 1) == "pruned";
  o.reason = column_text(st, 2);
  o.gpus = sqlite3_column_int(st, 3);
  o.dp = sqlite3_column_int(st, 4);
  o.weight_gib = sqlite3_column_double(st, 5);
  o.kv_tokens_per_rank = sqlite3_column_int64(st, 6);
  double* reals[] = {&o.ttft_p90, &o.tpot_p90,   &o.ttft_p99,
                     &o.tpot_p99, &o.attainment, &o.rate_scale};
  for (int i = 0; i < 6; ++i) *reals[i] = sqlite3_column_double(st, 7 + i);
  o.meets = sqlite3_column_int(st, 13) != 0;
  double* usd[] = {&o.usd_per_m_at_load, &o.usd_per_m_at_capacity, &o.usd_per_m_output,
                   &o.usd_per_m_input, &o.usd_per_hour};
  for (int i = 0; i < 5; ++i) *usd[i] = sqlite3_column_double(st, 14 + i);
  return o;
}

void bind_row(sqlite3_stmt* st, const ServingCandidate& c, const ServingOutcome& o) {
  auto text = [st](int i, const std::string& s) {
    sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  text(1, c.key);
  text(2, c.gpu);
  const int layout[] = {
      c.disaggregated ? 1 : 0, c.prefill_nodes, c.prefill_tp, c.nodes, c.tp, c.ep, c.max_batch};
  for (int i = 0; i < 7; ++i) sqlite3_bind_int(st, 3 + i, layout[i]);
  text(10, o.pruned ? "pruned" : "evaluated");
  text(11, o.reason);
  sqlite3_bind_int(st, 12, o.gpus);
  sqlite3_bind_int(st, 13, o.dp);
  sqlite3_bind_double(st, 14, o.weight_gib);
  sqlite3_bind_int64(st, 15, o.kv_tokens_per_rank);
  const double reals[] = {o.ttft_p90, o.tpot_p90,   o.ttft_p99,
                          o.tpot_p99, o.attainment, o.rate_scale};
  for (int i = 0; i < 6; ++i) sqlite3_bind_double(st, 16 + i, reals[i]);
  sqlite3_bind_int(st, 22, o.meets ? 1 : 0);
  const double usd[] = {o.usd_per_m_at_load, o.usd_per_m_at_capacity, o.usd_per_m_output,
                        o.usd_per_m_input, o.usd_per_hour};
  for (int i = 0; i < 5; ++i) sqlite3_bind_double(st, 23 + i, usd[i]);
}

std::string insert_sql() {
  std::string sql = "INSERT OR IGNORE INTO serving_candidates VALUES (";
  for (int i = 1; i <= kColumns; ++i) sql += fmt::format("{}?{}", i == 1 ? "" : ", ", i);
  return sql + ")";
}

}  // namespace

ServingStore::ServingStore(const std::string& path, const std::string& fingerprint)
    : db_(path, kSchema, insert_sql(), fingerprint) {}

std::map<std::string, ServingOutcome> ServingStore::load() const {
  std::map<std::string, ServingOutcome> out;
  db_.each_row(kSelect, [&](sqlite3_stmt* st) { out.emplace(column_text(st, 0), read_outcome(st)); });
  return out;
}

void ServingStore::add(const std::vector<const ServingCandidate*>& candidates,
                       const std::vector<ServingOutcome>& outcomes) {
  db_.insert_rows(candidates.size(), [&](std::size_t i, sqlite3_stmt* st) {
    bind_row(st, *candidates[i], outcomes[i]);
  });
}

}  // namespace llmsim::plan
