#pragma once
// What a finished search says: the feasible plans ranked by the objective, the Pareto front of
// days against dollars, the counts of candidates by what became of them, and why a runner-up
// loses to the best (which part of the step costs more, and memory). Pure functions over the
// search's outcomes; ties are broken by candidate key, so the order is the same on every run.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/plan/plan_search.hpp"

namespace llmsim::plan {

using Outcomes = std::vector<std::optional<Outcome>>;

// Feasible evaluated candidates, best first: by dollars (cost, pareto) or days (time), then key.
std::vector<std::size_t> rank_candidates(const std::vector<Candidate>& candidates,
                                         const Outcomes& outcomes, Objective objective,
                                         const Limits& limits);

// Feasible evaluated candidates no other one beats on both days and dollars, fastest first.
std::vector<std::size_t> pareto_front(const std::vector<Candidate>& candidates,
                                      const Outcomes& outcomes, const Limits& limits);

struct Counts {
  std::size_t generated = 0;
  std::size_t reached = 0;  // with an outcome (all of them unless stopped)
  std::size_t evaluated = 0;
  std::size_t feasible = 0;             // evaluated, within deadline and budget
  std::array<std::size_t, 6> pruned{};  // by PruneReason
};
Counts count_outcomes(const Outcomes& outcomes, const Limits& limits);

// One line: how much more `loser` costs (or takes) than `best`, and the parts of the step that
// make the difference, largest first, in GPU-seconds per step (cost) or seconds per step (time),
// with the peak memory where it is higher.
std::string why_loses(const Candidate& best, const Outcome& b, const Candidate& loser,
                      const Outcome& l, Objective objective);

}  // namespace llmsim::plan
