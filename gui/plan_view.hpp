#pragma once
// The plan-search view, without Qt: a search on the open scenario's GPUs, half, as many and
// twice as many of them (on one GPU count, dollars are days times a constant: the front needs
// several), with the library's
// run_search, with its SQLite store, so a second open of the same file reads every row back and
// evaluates nothing), the points of the days-against-dollars plot with the library's Pareto
// front marked, and the selected plan's step (its timeline case and breakdown) simulated as the
// app simulates a scenario.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "costmodel/plan/plan_ranking.hpp"
#include "costmodel/plan/plan_search.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

struct PlanPoint {
  std::size_t candidate = 0;  // index into PlanSearchView::candidates
  double days = 0.0;
  double usd = 0.0;
  bool front = false;  // on the library's Pareto front
};

struct PlanSearchView {
  std::string scenario_name;
  std::vector<plan::Hardware> hardware;  // the scenario's cluster at gpu_counts()
  std::vector<calibration::Profile> profiles;
  std::vector<plan::Candidate> candidates;
  plan::Outcomes outcomes;
  std::vector<std::size_t> front;  // plan::pareto_front, fastest first
  std::vector<PlanPoint> points;   // feasible evaluated candidates, in candidate order
  std::size_t from_store = 0;
  std::size_t new_outcomes = 0;
};

// The small space the app searches: the library's default space with PP at most 8, one
// micro-batch size (1) and ZeRO-1.
plan::PlanSpace small_space(const Scenario& s);

// The GPU counts searched: half the scenario's (when whole nodes), its own, and twice it.
std::vector<int> gpu_counts(const Scenario& s);

// Searches `space` on `s`'s cluster at gpu_counts(s) (objective pareto, so the bound keeps every plan the front
// could need), storing rows in `db` when it is not empty; `scenario_text` (the file's contents)
// goes into the store's fingerprint. Throws UserError from the library (a store of another
// search, a profile missing a kernel).
PlanSearchView search_plans(const Scenario& s, const std::string& scenario_text,
                            const plan::PlanSpace& space, const std::string& db, int threads = 1,
                            const std::function<bool()>& stop = {});

// True when `db` is the results file of a `llmsim plan` run (it keeps the search's request).
bool is_plan_results(const std::string& db);

// Reopens a `llmsim plan` run's results file: its request (scenario, options) rebuilds the
// same fleet, space and candidates, and its rows come back from the store; a search stopped
// before the end goes on (with `threads`, until `stop`) and adds its rows to the file. Throws
// UserError when the file is not such a file, its scenario is gone, or the scenario changed
// since the search (the store's fingerprint).
PlanSearchView open_plan_results(const std::string& db, int threads = 1,
                                 const std::function<bool()>& stop = {});

// The plot points of the view's outcomes, front marked (also the view's `points`).
std::vector<PlanPoint> plan_points(const PlanSearchView& v);

// "16 x H100: TP2 PP2 (1f1b) DP4 ZeRO-1, mb 1, recompute selective, bf16"
std::string plan_title(const plan::Candidate& c);

struct PlanDetail {
  ExperimentCase timeline;  // the plan's first-phase step, as the timeline widget draws it
  std::vector<std::string> breakdown;  // lines: step, compute, comm, bubble, DP sync, memory, ...
};

// Simulates the step of candidate `index` (simulate_step on apply_candidate's scenario).
PlanDetail plan_detail(const PlanSearchView& v, std::size_t index);

// The timeline case of a simulated step: its plan, costs, result and streams.
ExperimentCase step_case(const StepResult& st, std::string title);

}  // namespace llmsim::gui
