#pragma once
// Plan search, part 2 of 4: the pruner. Cheap questions asked before a candidate is simulated,
// in order of cost: is the plan valid on every phase (check_plan / check_phase: divisibility,
// schedule, batch), does it fit in memory on every phase (estimate_memory: the schedule's peak
// in-flight activations, rank by rank), and can it still matter (a lower bound on its time and
// cost from compute alone, against the deadline, the budget and the best found so far)? Each
// pruned candidate keeps the reason and a one-line detail.

#include <optional>
#include <string>
#include <string_view>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/operator_timer.hpp"

namespace llmsim::plan {

enum class PruneReason { kNone, kPlan, kMemory, kDeadline, kBudget, kBound };
// "plan", "memory", "deadline", "budget", "bound" ("" for kNone).
std::string_view prune_reason_name(PruneReason r);
std::optional<PruneReason> parse_prune_reason(std::string_view name);

struct Verdict {
  PruneReason reason = PruneReason::kNone;
  std::string detail;              // what is wrong, naming the phase and the field
  double peak_memory_bytes = 0.0;  // worst rank of the worst phase (memory checked only)
  bool pruned() const { return reason != PruneReason::kNone; }
};

// Plan validity, then memory fit, on every phase of `s` (a candidate's scenario).
Verdict check_candidate(const Scenario& s);

// A lower bound on the run from compute alone: each phase's training FLOPs (model_totals, causal
// attention, no recomputation) on every GPU at the dense peak of the fastest precision the
// recipe uses (FP8 for DeepSeek's recipe on a GPU with FP8, else BF16), at the boost clock.
// No step the simulator times can be faster.
struct LowerBound {
  double seconds = 0.0;  // wall-clock, all phases
  double cost_usd = 0.0;
  double days() const { return seconds / 86400.0; }
};
LowerBound compute_bound(const Scenario& s);

// A tighter bound for a valid candidate, still from computation alone: each phase's stages
// timed by the operator timer (compute_seconds_per_token), without communication, bubble or
// shared SMs. Costs a fraction of a simulation (the account and the operator times).
LowerBound timed_compute_bound(const Scenario& s, const calibration::Profile& profile,
                               CollectiveCache* collectives);

enum class Objective { kCost, kTime, kPareto };
std::string_view objective_name(Objective o);

struct Limits {
  double deadline_days = 0.0;  // 0: none
  double budget_usd = 0.0;     // 0: none
};

// The bound against the limits and, for the cost or time objective, against `threshold` (the
// N-th best value found so far, dollars or days; 0: none yet). Pareto prunes by limits only.
// `what` names the bound in the detail ("compute alone", "timed computation").
Verdict check_bound(const LowerBound& bound, const Limits& limits, Objective objective,
                    double threshold, const char* what = "compute alone");

}  // namespace llmsim::plan
