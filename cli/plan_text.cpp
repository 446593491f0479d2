// llmsim plan's output: text for people, JSON, and every candidate as CSV.

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/plan_command.hpp"
#include "cli/published_text.hpp"
#include "cli/run_text.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "report/output_file.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::cli {

namespace {

using plan::Candidate;
using plan::Outcome;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::string plan_label(const Candidate& c) {
  const ParallelPlan& p = c.plan;
  std::string vpp = p.vpp > 1 ? fmt::format(" x{}", p.vpp) : "";
  return fmt::format("TP{} PP{} ({}{}) DP{} EP{} ZeRO-{}, micro-batch {}, recompute {}, {}", p.tp,
                     p.pp, schedule_method_name(p.schedule), vpp, p.dp, p.ep, p.zero_stage,
                     p.micro_batch_size, recompute_policy_name(c.recompute),
                     make_recipe(c.precision).name());
}

std::string short_label(const Candidate& c) {
  const ParallelPlan& p = c.plan;
  return fmt::format("TP{} PP{} {}{} DP{} EP{} Z{} mb{} {} {}", p.tp, p.pp,
                     schedule_method_name(p.schedule), p.vpp > 1 ? fmt::format("x{}", p.vpp) : "",
                     p.dp, p.ep, p.zero_stage, p.micro_batch_size,
                     recompute_policy_name(c.recompute), make_recipe(c.precision).name());
}

const Outcome& outcome(const PlanReport& r, std::size_t i) {
  return *r.result->outcomes[i];
}

void print_header(const PlanReport& r) {
  const Scenario& s = *r.scenario;
  fmt::print("Plan search: {} ({}), model {}\n", s.name, r.scenario_file, s.model.name);
  std::string hw;
  for (const plan::Hardware& h : *r.hardware) {
    hw += fmt::format("{}{} x {} (${}/GPU-hour)", hw.empty() ? "" : ", ", h.gpus, h.gpu,
                      h.scenario.usd_per_gpu_hour);
  }
  fmt::print("  hardware: {}\n", hw);
  std::string work;
  for (const TrainingPhase& ph : s.phases) {
    work += fmt::format("{}{} {} tokens at {} x {}", work.empty() ? "" : "; ", ph.name,
                        human(ph.tokens), ph.global_batch, ph.seq_len);
  }
  fmt::print("  work: {}\n", work);
  const plan::Limits& l = r.options.limits;
  fmt::print("  objective: {}; deadline {}; budget {}\n", plan::objective_name(r.options.objective),
             l.deadline_days > 0 ? fmt::format("{:g} days", l.deadline_days) : "none",
             l.budget_usd > 0 ? "$" + human(l.budget_usd) : "none");
  for (const std::string& line : r.space_lines) fmt::print("  space: {}\n", line);
}

void print_counts(const plan::Counts& c) {
  using plan::PruneReason;
  auto pruned = [&](PruneReason why) { return c.pruned[static_cast<std::size_t>(why)]; };
  fmt::print("\nCandidates: {} generated, {} simulated ({} within the deadline and budget)\n",
             c.generated, c.evaluated, c.feasible);
  fmt::print(
      "  pruned before simulation: {} invalid plan, {} out of memory, {} past the deadline, "
      "{} over the budget, {} by the compute bound\n",
      pruned(PruneReason::kPlan), pruned(PruneReason::kMemory), pruned(PruneReason::kDeadline),
      pruned(PruneReason::kBudget), pruned(PruneReason::kBound));
}

// Which kernel profile timed each GPU type's candidates, when the search spans more than one:
// a scenario may name a profile of its own (an older kernel release), the other types get
// their GPU's published profile.
void print_profiles(const PlanReport& r) {
  std::vector<std::pair<std::string, std::string>> seen;
  for (const plan::Hardware& h : *r.hardware) {
    const std::string file = std::filesystem::path(h.scenario.calibration_file).filename().string();
    bool known = false;
    for (const auto& [gpu, f] : seen) known = known || gpu == h.gpu;
    if (!known) seen.emplace_back(h.gpu, file);
  }
  if (seen.size() < 2) return;
  std::string list;
  for (const auto& [gpu, f] : seen) list += (list.empty() ? "" : ", ") + gpu + ": " + f;
  fmt::print("  - kernel profiles: {} (the scenario's GPU its own calibration, the others their "
             "GPU's published profile)\n",
             list);
}

void print_best(const PlanReport& r, std::size_t best) {
  const Candidate& c = (*r.candidates)[best];
  const Outcome& o = outcome(r, best);
  fmt::print("\nBest plan: {} x {}: {}\n", c.gpus, c.gpu, plan_label(c));
  fmt::print(
      "  searched as: {:.2f} days, ${}, step {:.3f} s, MFU {:.1f}%, peak memory {:.1f} GiB "
      "(each phase at its full batch)\n\n",
      o.eval.days(), human(o.eval.cost_usd), o.eval.step_time_s, 100 * o.eval.mfu_bf16,
      o.peak_memory_bytes / kGiB);
  fmt::print("The best plan costed in full, as `llmsim run` costs it (batch ramp included):\n\n");
  const plan::Hardware& h = (*r.hardware)[c.hardware];
  const Scenario s = plan::apply_candidate(h.scenario, c);
  const calibration::Profile& profile = (*r.profiles)[c.hardware];
  print_run(s, profile, estimate_run(s, profile));
}

void print_top(const PlanReport& r, const std::vector<std::size_t>& ranked) {
  const std::size_t n =
      std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(r.options.top));
  fmt::print("\nTop {} by {}:\n", n, plan::objective_name(r.options.objective));
  fmt::print("  {:>2} {:>5} {:<5} {:<52} {:>8} {:>8} {:>9} {:>6} {:>7}\n", "#", "GPUs", "GPU",
             "plan", "step (s)", "days", "cost $", "MFU %", "mem GiB");
  for (std::size_t k = 0; k < n; ++k) {
    const Candidate& c = (*r.candidates)[ranked[k]];
    const Outcome& o = outcome(r, ranked[k]);
    fmt::print("  {:>2} {:>5} {:<5} {:<52} {:>8.3f} {:>8.2f} {:>9} {:>6.1f} {:>7.1f}\n", k + 1,
               c.gpus, c.gpu, short_label(c), o.eval.step_time_s, o.eval.days(),
               human(o.eval.cost_usd), 100 * o.eval.mfu_bf16, o.peak_memory_bytes / kGiB);
  }
  if (n < 2) return;
  fmt::print("Why each loses to the best:\n");
  const Candidate& best = (*r.candidates)[ranked[0]];
  for (std::size_t k = 1; k < n; ++k) {
    const Candidate& c = (*r.candidates)[ranked[k]];
    fmt::print("  {}. {}\n", k + 1,
               plan::why_loses(best, outcome(r, ranked[0]), c, outcome(r, ranked[k]),
                               r.options.objective));
  }
}

void print_pareto(const PlanReport& r, const std::vector<std::size_t>& front) {
  fmt::print("\nPareto front, days against dollars, of the simulated plans ({} that no other "
             "beats on both; the bound prunes for the {} objective, --objective pareto keeps "
             "every plan the front could need):\n",
             front.size(), plan::objective_name(r.options.objective));
  fmt::print("  {:>8} {:>9} {:>5} {:<5} {}\n", "days", "cost $", "GPUs", "GPU", "plan");
  for (std::size_t i : front) {
    const Candidate& c = (*r.candidates)[i];
    const Outcome& o = outcome(r, i);
    fmt::print("  {:>8.2f} {:>9} {:>5} {:<5} {}\n", o.eval.days(), human(o.eval.cost_usd), c.gpus,
               c.gpu, short_label(c));
  }
}

}  // namespace

void print_plan_text(const PlanReport& r) {
  print_header(r);
  const plan::Limits& limits = r.options.limits;
  print_counts(plan::count_outcomes(r.result->outcomes, limits));
  const auto ranked =
      plan::rank_candidates(*r.candidates, r.result->outcomes, r.options.objective, limits);
  if (ranked.empty()) {
    fmt::print(
        "\nNo plan was simulated within the limits: loosen --deadline-days or --budget, or "
        "widen --gpus (--csv lists every candidate and why it was pruned).\n");
    return;
  }
  print_best(r, ranked.front());
  print_top(r, ranked);
  print_pareto(r, plan::pareto_front(*r.candidates, r.result->outcomes, limits));
  fmt::print(
      "\nSearch assumptions:\n"
      "  - each candidate is costed with every phase at its full batch (a batch ramp's "
      "smaller batches are not simulated during the search; the best plan above is)\n"
      "  - a candidate is pruned unsimulated when a lower bound from computation alone "
      "misses the deadline or budget or cannot beat the top {} found in earlier batches: "
      "first its FLOPs at the GPU's dense peak, then (valid plans that fit) its stages' "
      "operators as the timer times them, without communication or bubble\n",
      r.options.top);
  if (const std::size_t n = r.scenario->plan.layers_per_stage.size(); n > 0) {
    fmt::print("  - the scenario's layers_per_stage ({} stages) is kept for the candidates with {} "
               "model chunks; the others split the layers as llmsim balances them\n",
               n, n);
  }
  print_profiles(r);
}

namespace {

nlohmann::json candidate_json(const PlanReport& r, std::size_t i) {
  const Candidate& c = (*r.candidates)[i];
  const Outcome& o = outcome(r, i);
  const StepBreakdown& b = o.eval.breakdown;
  return {{"key", c.key},
          {"gpu", c.gpu},
          {"gpus", c.gpus},
          {"tp", c.plan.tp},
          {"pp", c.plan.pp},
          {"vpp", c.plan.vpp},
          {"dp", c.plan.dp},
          {"ep", c.plan.ep},
          {"zero", c.plan.zero_stage},
          {"micro_batch_size", c.plan.micro_batch_size},
          {"schedule", schedule_method_name(c.plan.schedule)},
          {"recompute", recompute_policy_name(c.recompute)},
          {"precision", make_recipe(c.precision).name()},
          {"step_time_s", o.eval.step_time_s},
          {"days", o.eval.days()},
          {"gpu_hours", o.eval.gpu_hours},
          {"cost_usd", o.eval.cost_usd},
          {"mfu_bf16_causal", o.eval.mfu_bf16},
          {"peak_memory_gib", o.peak_memory_bytes / kGiB},
          {"breakdown",
           {{"compute_s", b.compute_s},
            {"exposed_comm_s", b.exposed_comm_s},
            {"bubble_s", b.bubble_s},
            {"dp_sync_s", b.dp_sync_s},
            {"optimizer_s", b.optimizer_s}}}};
}

}  // namespace

void print_plan_json(const PlanReport& r) {
  const plan::Limits& limits = r.options.limits;
  const plan::Counts c = plan::count_outcomes(r.result->outcomes, limits);
  nlohmann::json pruned;
  for (std::size_t k = 1; k < c.pruned.size(); ++k) {
    pruned[std::string(plan::prune_reason_name(static_cast<plan::PruneReason>(k)))] = c.pruned[k];
  }
  const auto ranked =
      plan::rank_candidates(*r.candidates, r.result->outcomes, r.options.objective, limits);
  nlohmann::json top = nlohmann::json::array();
  for (std::size_t k = 0; k < ranked.size() && k < static_cast<std::size_t>(r.options.top); ++k) {
    nlohmann::json j = candidate_json(r, ranked[k]);
    if (k > 0) {
      j["why_loses"] =
          plan::why_loses((*r.candidates)[ranked[0]], outcome(r, ranked[0]),
                          (*r.candidates)[ranked[k]], outcome(r, ranked[k]), r.options.objective);
    }
    top.push_back(std::move(j));
  }
  nlohmann::json pareto = nlohmann::json::array();
  for (std::size_t i : plan::pareto_front(*r.candidates, r.result->outcomes, limits)) {
    pareto.push_back(candidate_json(r, i));
  }
  const nlohmann::json out = {{"scenario", r.scenario->name},
                              {"objective", plan::objective_name(r.options.objective)},
                              {"counts",
                               {{"generated", c.generated},
                                {"evaluated", c.evaluated},
                                {"feasible", c.feasible},
                                {"pruned", pruned}}},
                              {"top", top},
                              {"pareto", pareto}};
  fmt::print("{}\n", out.dump(1));
}

void write_plan_csv(const PlanReport& r, const std::string& path) {
  std::ostringstream out;
  out << "key,gpu,gpus,tp,pp,vpp,dp,cp,ep,micro_batch_size,zero,schedule,recompute,precision,"
         "status,reason,detail,step_time_s,days,cost_usd,peak_memory_gib\n";
  for (std::size_t i = 0; i < r.candidates->size(); ++i) {
    if (!r.result->outcomes[i]) continue;
    const Candidate& c = (*r.candidates)[i];
    const Outcome& o = outcome(r, i);
    const ParallelPlan& p = c.plan;
    std::string detail = o.detail;
    for (char& ch : detail) ch = ch == '"' ? '\'' : ch;
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\",{},{},{},{}\n",
                       c.key, c.gpu, c.gpus, p.tp, p.pp, p.vpp, p.dp, p.cp, p.ep,
                       p.micro_batch_size, p.zero_stage, schedule_method_name(p.schedule),
                       recompute_policy_name(c.recompute), make_recipe(c.precision).name(),
                       o.evaluated() ? "evaluated" : "pruned", plan::prune_reason_name(o.reason),
                       detail, o.eval.step_time_s, o.eval.days(), o.eval.cost_usd,
                       o.peak_memory_bytes / kGiB);
  }
  write_file_atomically(path, out.str());
}

}  // namespace llmsim::cli
