#include "costmodel/plan/search_db.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "sim/check.hpp"

namespace llmsim::plan {

std::string column_text(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

SearchDb::SearchDb(const std::string& path, const char* schema, const std::string& insert_sql,
                   const std::string& fingerprint)
    : path_(path) {
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
    exec(schema);
    check_fingerprint(fingerprint);
    if (sqlite3_prepare_v2(db_, insert_sql.c_str(), -1, &insert_, nullptr) != SQLITE_OK) {
      exec(insert_sql.c_str());  // throws with SQLite's reason
    }
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SearchDb::~SearchDb() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

void SearchDb::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return;
  const std::string why = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  throw UserError(fmt::format("--db {}: {}", path_, why));
}

// Steps a one-shot write and finalizes it; UserError if it did not complete.
void SearchDb::write_or_throw(sqlite3_stmt* st) {
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    throw UserError(fmt::format("--db {}: cannot write: {}", path_, sqlite3_errmsg(db_)));
  }
}

void SearchDb::check_fingerprint(const std::string& fingerprint) {
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
  set_value("fingerprint", fingerprint);
}

void SearchDb::set_value(const std::string& name, const std::string& value) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO search VALUES (?1, ?2)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.c_str(), -1, SQLITE_TRANSIENT);
  write_or_throw(st);
}

std::optional<std::string> SearchDb::read_value(const std::string& path, const std::string& name) {
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

void SearchDb::each_row(const char* select, const std::function<void(sqlite3_stmt*)>& row) const {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, select, -1, &st, nullptr) != SQLITE_OK) exec(select);
  while (sqlite3_step(st) == SQLITE_ROW) row(st);
  sqlite3_finalize(st);
}

void SearchDb::insert_rows(std::size_t n,
                           const std::function<void(std::size_t, sqlite3_stmt*)>& bind) {
  exec("BEGIN IMMEDIATE");
  for (std::size_t i = 0; i < n; ++i) {
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
    bind(i, insert_);
    if (sqlite3_step(insert_) != SQLITE_DONE) {
      const std::string why = sqlite3_errmsg(db_);
      exec("ROLLBACK");
      throw UserError(fmt::format("--db {}: cannot write: {}", path_, why));
    }
  }
  exec("COMMIT");
}

}  // namespace llmsim::plan
