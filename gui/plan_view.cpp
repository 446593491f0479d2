#include "gui/plan_view.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/precision.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/plan/plan_request.hpp"
#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"
#include "costmodel/version.hpp"

namespace llmsim::gui {

namespace {

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The store's fingerprint: the app, the search version, the scenario file and every candidate
// key (which name the space and the cluster).
std::string fingerprint(const std::string& scenario_text,
                        const std::vector<plan::Candidate>& candidates) {
  std::string keys;
  for (const auto& c : candidates) keys += c.key + ";";
  return fmt::format("llmsim-gui {} plan search {}; scenario fnv1a {:016x}; candidates {} fnv1a "
                     "{:016x}",
                     version(), plan::kSearchVersion, fnv1a(scenario_text), candidates.size(),
                     fnv1a(keys));
}

}  // namespace

plan::PlanSpace small_space(const Scenario& s) {
  plan::PlanSpace sp = plan::default_space(s.model, s.cluster.domain_gpus());
  std::erase_if(sp.pp, [](int pp) { return pp > 8; });
  sp.micro_batch_sizes = {1};
  sp.zero_stages = {1};
  return sp;
}

std::vector<int> gpu_counts(const Scenario& s) {
  const int g = s.cluster.gpus(), node = s.cluster.gpus_per_node;
  std::vector<int> out;
  if (g / 2 >= node && (g / 2) % node == 0) out.push_back(g / 2);
  out.push_back(g);
  out.push_back(2 * g);
  return out;
}

PlanSearchView search_plans(const Scenario& s, const std::string& scenario_text,
                            const plan::PlanSpace& space, const std::string& db, int threads,
                            const std::function<bool()>& stop) {
  PlanSearchView v;
  v.scenario_name = s.name;
  const calibration::Profile profile = scenario_profile(s);
  for (int gpus : gpu_counts(s)) {
    Scenario on = s;
    on.cluster.nodes = gpus / s.cluster.gpus_per_node;
    if (on.cluster.topology == TopologyKind::kSingleNode && on.cluster.nodes > 1) {
      on.cluster.topology = TopologyKind::kRailOptimized;
    }
    v.hardware.push_back({s.gpu.name, gpus, std::move(on)});
    v.profiles.push_back(profile);
  }
  v.candidates = plan::generate_candidates(space, v.hardware);
  std::unique_ptr<plan::ResultStore> store;
  if (!db.empty()) {
    store = std::make_unique<plan::ResultStore>(db, fingerprint(scenario_text, v.candidates));
  }
  plan::SearchOptions o;
  o.objective = plan::Objective::kPareto;
  o.threads = std::max(1, threads);
  plan::SearchHooks hooks;
  hooks.stop = stop;
  plan::SearchResult r =
      plan::run_search(v.hardware, v.profiles, v.candidates, o, store.get(), hooks);
  v.outcomes = std::move(r.outcomes);
  v.from_store = r.from_store;
  v.new_outcomes = r.new_outcomes;
  v.front = plan::pareto_front(v.candidates, v.outcomes, o.limits);
  v.points = plan_points(v);
  return v;
}

bool is_plan_results(const std::string& db) {
  return plan::ResultStore::read_value(db, "request").has_value();
}

PlanSearchView open_plan_results(const std::string& db, int threads,
                                 const std::function<bool()>& stop) {
  const std::optional<std::string> text = plan::ResultStore::read_value(db, "request");
  if (!text) {
    throw UserError(db + ": not the results file of an `llmsim plan --db` run (no request in it)");
  }
  const plan::PlanRequest r = plan::request_from_json(*text, db);
  const std::string data_dir = default_data_dir();
  const Scenario base = plan::request_scenario(r, data_dir);
  plan::Fleet fleet = plan::build_fleet(r, base, data_dir);
  PlanSearchView v;
  v.scenario_name = base.name;
  v.hardware = std::move(fleet.hardware);
  v.profiles = std::move(fleet.profiles);
  v.candidates = plan::generate_candidates(plan::build_space(r, base), v.hardware);
  plan::ResultStore store(db, plan::request_fingerprint(r));
  plan::SearchOptions o = plan::request_search_options(r);
  o.threads = std::max(1, threads);
  plan::SearchHooks hooks;
  hooks.stop = stop;
  plan::SearchResult result = plan::run_search(v.hardware, v.profiles, v.candidates, o, &store, hooks);
  v.outcomes = std::move(result.outcomes);
  v.from_store = result.from_store;
  v.new_outcomes = result.new_outcomes;
  v.front = plan::pareto_front(v.candidates, v.outcomes, o.limits);
  v.points = plan_points(v);
  return v;
}

std::vector<PlanPoint> plan_points(const PlanSearchView& v) {
  std::vector<PlanPoint> out;
  for (std::size_t i = 0; i < v.outcomes.size(); ++i) {
    const auto& o = v.outcomes[i];
    if (!o || !plan::is_feasible(*o, {})) continue;
    const bool front = std::find(v.front.begin(), v.front.end(), i) != v.front.end();
    out.push_back({i, o->eval.days(), o->eval.cost_usd, front});
  }
  return out;
}

std::string plan_title(const plan::Candidate& c) {
  const ParallelPlan& p = c.plan;
  std::string sched(schedule_method_name(p.schedule));
  if (p.vpp > 1) sched += fmt::format(" x{}", p.vpp);
  return fmt::format("{} x {}: TP{} PP{} ({}) DP{}{} ZeRO-{}, mb {}, recompute {}, {}", c.gpus,
                     c.gpu, p.tp, p.pp, sched, p.dp, p.ep > 1 ? fmt::format(" EP{}", p.ep) : "",
                     p.zero_stage, p.micro_batch_size, recompute_policy_name(c.recompute),
                     make_recipe(c.precision).name());
}

ExperimentCase step_case(const StepResult& st, std::string title) {
  ExperimentCase c;
  c.plan = st.plan;
  c.costs = st.costs;
  c.result = st.pipeline;
  c.title = std::move(title);
  c.summary = summarize_case(c.plan, c.costs, c.result);
  for (const auto& rank : step_streams(st)) {
    auto& pieces = c.streams.emplace_back();
    pieces.reserve(rank.size());
    for (const StreamSpan& sp : rank) {
      pieces.push_back({SimTime::from_seconds(sp.start_s), SimTime::from_seconds(sp.end_s),
                        sp.comm, sp.kind, sp.part});
    }
  }
  return c;
}

PlanDetail plan_detail(const PlanSearchView& v, std::size_t index) {
  const plan::Candidate& c = v.candidates.at(index);
  const Scenario s = plan::apply_candidate(v.hardware.at(c.hardware).scenario, c);
  const StepResult st = simulate_step(s, s.phases.front(), v.profiles.at(c.hardware));
  PlanDetail d;
  d.timeline = step_case(st, plan_title(c) + "  (one " + s.phases.front().name + " step)");
  const auto& o = v.outcomes.at(index);
  if (!o || !o->evaluated()) return d;
  const plan::Evaluation& e = o->eval;
  const StepBreakdown& b = e.breakdown;
  d.breakdown = {
      plan_title(c),
      fmt::format("step {:.3f} s: compute {:.3f} s, exposed comm {:.3f} s, bubble {:.3f} s, "
                  "DP sync {:.3f} s, optimizer {:.3f} s (busiest rank)",
                  e.step_time_s, b.compute_s, b.exposed_comm_s, b.bubble_s, b.dp_sync_s,
                  b.optimizer_s),
      fmt::format("memory {:.1f} GiB peak; MFU {:.1f} %; {} micro-batches per pipeline",
                  e.peak_memory_bytes / (1024.0 * 1024.0 * 1024.0), 100.0 * e.mfu_bf16,
                  e.micro_batches),
      fmt::format("{:.2f} days, ${:.3f}M ({:.3f}M GPU-hours)", e.days(), e.cost_usd / 1e6,
                  e.gpu_hours / 1e6)};
  return d;
}

}  // namespace llmsim::gui
