#pragma once
// Serving plan search's results store, an SQLite file like the training search's
// (plan_store.hpp): one row per candidate, keyed by the candidate's key, with its layout, its
// status (evaluated, or pruned and why) and every figure of its outcome stored as SQLite REALs
// (doubles, so a resumed search prints exactly what an uninterrupted one does). Rows are
// written a batch per transaction; a search re-run on the same file reads them back and
// evaluates nothing twice. The file remembers its search (a fingerprint) and refuses another.

#include <map>
#include <string>
#include <vector>

#include "costmodel/plan/search_db.hpp"
#include "costmodel/plan/serving_plan.hpp"

namespace llmsim::plan {

class ServingStore {
 public:
  // Opens or creates `path`. UserError naming the file when it cannot be opened or written,
  // is not an SQLite database, or holds the results of a search with another fingerprint.
  ServingStore(const std::string& path, const std::string& fingerprint);

  // Every row committed so far, by candidate key.
  std::map<std::string, ServingOutcome> load() const;
  // Adds the rows in one transaction; a key already stored is left as it is.
  void add(const std::vector<const ServingCandidate*>& candidates,
           const std::vector<ServingOutcome>& outcomes);

 private:
  SearchDb db_;
};

}  // namespace llmsim::plan
