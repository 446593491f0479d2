#pragma once
// Plan search: the four parts (plan_space: candidates; plan_pruner: cheap bounds;
// plan_evaluator: the estimate; plan_store: the results) put together, with threads wrapped
// around the evaluator only.
//
// Determinism: candidates are taken in a fixed order (by their lower bound on the objective,
// then by key) in batches of a fixed size. Within a batch every candidate is pruned against the
// same threshold, the N-th best value of the batches before it, so what a candidate becomes
// does not depend on which thread took it or when it finished; outcomes are kept by candidate
// index, never by completion order. One thread and two give the same rows, and a search resumed
// from its store gives the same rows as one that was never stopped.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/plan/plan_evaluator.hpp"
#include "costmodel/plan/plan_pruner.hpp"
#include "costmodel/plan/plan_space.hpp"
#include "costmodel/plan/plan_store.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::plan {

inline constexpr std::size_t kDefaultBatch = 64;
// Raised whenever what a candidate becomes changes for the same inputs (a new pruning rule): a
// store written under another version is refused, not mixed in (the CLI's fingerprint has it).
inline constexpr int kSearchVersion = 2;

struct SearchOptions {
  Objective objective = Objective::kCost;
  Limits limits;
  int top = 5;  // the bound keeps the N best; N = top
  int threads = 1;
  std::size_t batch = kDefaultBatch;
  std::size_t stop_after = 0;     // stop after this many new outcomes (0: run to the end)
  bool share_collectives = true;  // one CollectiveCache per hardware choice
};

// The ranks of a distributed search (MPI: cli/plan_mpi.cpp; the library knows no MPI). Every
// rank runs run_search on the same candidates and evaluates the positions k of each batch with
// k % size == rank. `broadcast` gives rank 0's stored rows to every rank before the first batch;
// `share` fills every rank's batch with the others' outcomes and returns whether any rank
// stopped. Rank 0 alone passes a store.
struct Ranks {
  int rank = 0;
  int size = 1;
  std::function<void(std::map<std::string, Outcome>& stored)> broadcast;
  std::function<bool(std::vector<std::optional<Outcome>>& batch, bool stopped)> share;
};

struct SearchHooks {
  std::function<bool()> stop;                                         // asked between candidates
  std::function<void(std::size_t done, std::size_t total)> progress;  // after each batch
  const Ranks* ranks = nullptr;                                       // null: one process
};

struct SearchResult {
  std::vector<std::optional<Outcome>> outcomes;  // by candidate index; empty: not reached
  std::size_t from_store = 0;                    // outcomes read back from the store
  std::size_t new_outcomes = 0;
  bool complete = false;
};

// `profiles[i]` times the operators of `hardware[i]`; `candidates` as generate_candidates gives
// them. `store` may be null. Throws UserError from the evaluator or the store.
SearchResult run_search(const std::vector<Hardware>& hardware,
                        const std::vector<calibration::Profile>& profiles,
                        const std::vector<Candidate>& candidates, const SearchOptions& options,
                        ResultStore* store, const SearchHooks& hooks = {});

// The objective's value of an evaluated outcome: dollars (cost, pareto) or days (time).
double objective_value(const Outcome& o, Objective objective);
// Evaluated, within the deadline and the budget.
bool is_feasible(const Outcome& o, const Limits& limits);

}  // namespace llmsim::plan
