#pragma once
// The SQLite file a plan search keeps its results in (plan_store.hpp for training searches,
// serving_store.hpp for serving ones): opening or creating it with the store's schema, the
// search's fingerprint (a file made for another search is refused), one prepared insert run a
// batch per transaction, reading rows back, and named text values. Every failure is a
// UserError naming the file (`--db FILE: ...`). SQLite (libsqlite3-dev): one well-kept
// library for a file that survives a killed process, instead of a format of our own.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace llmsim::plan {

class SearchDb {
 public:
  // Opens or creates `path`, creates `schema`'s tables (it must have `search (name, value)`),
  // checks and writes `fingerprint`, prepares `insert_sql`. UserError when the file cannot be
  // opened or written, is not an SQLite database, or holds another search's results.
  SearchDb(const std::string& path, const char* schema, const std::string& insert_sql,
           const std::string& fingerprint);
  ~SearchDb();
  SearchDb(const SearchDb&) = delete;
  SearchDb& operator=(const SearchDb&) = delete;

  // Calls `row` for every row `select` returns.
  void each_row(const char* select, const std::function<void(sqlite3_stmt*)>& row) const;
  // In one transaction, `n` rows of the prepared insert, each bound by `bind(i, statement)`.
  void insert_rows(std::size_t n, const std::function<void(std::size_t, sqlite3_stmt*)>& bind);
  // The search table's value `name`, replaced.
  void set_value(const std::string& name, const std::string& value);
  // `name`'s value in the file at `path`, opened read-only; nullopt when there is none.
  static std::optional<std::string> read_value(const std::string& path, const std::string& name);

 private:
  void exec(const char* sql) const;
  void check_fingerprint(const std::string& fingerprint);
  void write_or_throw(sqlite3_stmt* st);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

// Column `i` of the current row as text ("" for NULL).
std::string column_text(sqlite3_stmt* st, int i);

}  // namespace llmsim::plan
