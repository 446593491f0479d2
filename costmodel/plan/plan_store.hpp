#pragma once
// Plan search, part 4 of 4: the results store, an SQLite file (Debian's libsqlite3, the C API).
// One row per candidate, keyed by candidate_key(): the plan's fields, the GPU type and count,
// the status (evaluated, or pruned with its reason and detail), step time, days, dollars, peak
// memory and the step's breakdown. Rows are written in transactions of a batch each, so a search
// stopped at any point (Ctrl-C) keeps every row it committed; a search re-run on the same file
// reads them back and evaluates nothing twice. The file remembers the search it belongs to (a
// fingerprint: scenario, options, space) and refuses another.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/plan/plan_evaluator.hpp"
#include "costmodel/plan/plan_pruner.hpp"
#include "costmodel/plan/plan_space.hpp"
#include "costmodel/plan/search_db.hpp"

namespace llmsim::plan {

// What became of one candidate: evaluated (reason kNone), or pruned and why.
struct Outcome {
  PruneReason reason = PruneReason::kNone;
  std::string detail;
  double peak_memory_bytes = 0.0;  // the memory estimate, where it was made
  Evaluation eval;                 // evaluated only
  bool evaluated() const { return reason == PruneReason::kNone; }
};

class ResultStore {
 public:
  // Opens or creates `path`. UserError naming the file when it cannot be opened or written,
  // is not an SQLite database, or holds the results of a search with another fingerprint.
  ResultStore(const std::string& path, const std::string& fingerprint);

  // Every row committed so far, by candidate key.
  std::map<std::string, Outcome> load() const;
  // Sets a value of the file's search table (e.g. "request": what the search was asked, as
  // llmsim plan's JSON), so that another program can reopen the search.
  void set_value(const std::string& name, const std::string& value);
  // `name`'s value in the file at `path`, opened read-only; nullopt when the file is not an
  // SQLite file, or has no search table or no such value.
  static std::optional<std::string> read_value(const std::string& path, const std::string& name);
  // Adds the rows in one transaction; a key already stored is left as it is.
  void add(const std::vector<const Candidate*>& candidates, const std::vector<Outcome>& outcomes);

 private:
  SearchDb db_;
};

}  // namespace llmsim::plan
