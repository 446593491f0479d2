#include "costmodel/plan/plan_space.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/plan_check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::plan {

namespace {

std::vector<int> powers_of_two(int from, int to) {
  std::vector<int> out;
  for (int v = from; v <= to; v *= 2) out.push_back(v);
  return out;
}

constexpr int kMaxDefaultPp = 64;

}  // namespace

PlanSpace default_space(const ModelSpec& model, int nvlink_gpus) {
  PlanSpace s;
  s.tp = powers_of_two(1, nvlink_gpus);
  s.pp = powers_of_two(1, std::min(kMaxDefaultPp, model.layers));
  s.vpp = {2, 4};
  s.ep = model.moe.enabled() ? powers_of_two(1, model.moe.routed_experts) : std::vector<int>{1};
  s.micro_batch_sizes = {1, 2};
  s.zero_stages = {0, 1};
  s.schedules = {
      ScheduleMethod::kGPipe,    ScheduleMethod::k1F1B,     ScheduleMethod::kInterleaved1F1B,
      ScheduleMethod::kZB1P,     ScheduleMethod::kZB2P,     ScheduleMethod::kZBV,
      ScheduleMethod::kDualPipe, ScheduleMethod::kDualPipeV};
  s.recompute = {RecomputePolicy::kNone, RecomputePolicy::kSelective, RecomputePolicy::kFull};
  s.precisions = {RecipeKind::kFP8DeepSeek, RecipeKind::kBF16};
  return s;
}

std::string candidate_key(const Candidate& c) {
  const ParallelPlan& p = c.plan;
  return fmt::format("{} g{:05d} tp{} pp{:02d} vpp{} ep{:03d} mb{} z{} {} {} {}", c.gpu, c.gpus,
                     p.tp, p.pp, p.vpp, p.ep, p.micro_batch_size, p.zero_stage,
                     schedule_method_name(p.schedule), recompute_policy_name(c.recompute),
                     make_recipe(c.precision).name());
}

namespace {

// The shape rules of the header; the rest is the pruner's.
bool is_shape(const Hardware& h, const ParallelPlan& p, RecipeKind precision) {
  const int per_node = h.scenario.cluster.domain_gpus();  // TP stays on NVLink
  if (p.tp > per_node || h.gpus % (p.tp * p.pp) != 0) return false;
  if (p.ep > 1 && !h.scenario.model.moe.enabled()) return false;
  // Without a pipeline the schedules are one: 1F1B stands for them all.
  if (p.pp == 1 && (p.schedule != ScheduleMethod::k1F1B || p.vpp != 1)) return false;
  if (precision == RecipeKind::kFP8DeepSeek && !h.scenario.gpu.has_fp8()) return false;
  return true;
}

// The schedule with its virtual-stage counts: vpp 1, or each listed vpp for interleaved.
std::vector<std::pair<ScheduleMethod, int>> schedule_shapes(const PlanSpace& s) {
  std::vector<std::pair<ScheduleMethod, int>> out;
  for (ScheduleMethod m : s.schedules) {
    if (m != ScheduleMethod::kInterleaved1F1B) {
      out.emplace_back(m, 1);
      continue;
    }
    for (int v : s.vpp) out.emplace_back(m, v);
  }
  return out;
}

void add_plans(const PlanSpace& s, std::size_t index, const Hardware& h,
               std::vector<Candidate>& out) {
  const auto schedules = schedule_shapes(s);
  for (int tp : s.tp)
    for (int pp : s.pp)
      for (const auto& [method, vpp] : schedules)
        for (int ep : s.ep)
          for (int mb : s.micro_batch_sizes)
            for (int zero : s.zero_stages)
              for (RecomputePolicy rc : s.recompute)
                for (RecipeKind prec : s.precisions) {
                  Candidate c;
                  c.hardware = index;
                  c.gpu = h.gpu;
                  c.gpus = h.gpus;
                  c.plan = h.scenario.plan;
                  c.plan.tp = tp;
                  c.plan.sp = tp > 1 && h.scenario.plan.sp;
                  c.plan.pp = pp;
                  c.plan.vpp = vpp;
                  c.plan.schedule = method;
                  c.plan.ep = ep;
                  c.plan.micro_batch_size = mb;
                  c.plan.zero_stage = zero;
                  c.plan.cp = h.scenario.phases.front().plan.cp;
                  // The scenario's layer layout, where the candidate has as many stages;
                  // llmsim's balanced split elsewhere.
                  if (c.plan.layers_per_stage.size() != static_cast<std::size_t>(model_chunks(c.plan))) {
                    c.plan.layers_per_stage.clear();
                  }
                  if (!is_shape(h, c.plan, prec)) continue;
                  const int rest = tp * pp * c.plan.cp;
                  c.plan.dp = h.gpus % rest == 0 ? h.gpus / rest : 0;  // 0: check_plan names it
                  c.precision = prec;
                  c.recompute = rc;
                  c.key = candidate_key(c);
                  out.push_back(std::move(c));
                }
}

}  // namespace

std::vector<Candidate> generate_candidates(const PlanSpace& space,
                                           const std::vector<Hardware>& hardware) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < hardware.size(); ++i) add_plans(space, i, hardware[i], out);
  std::sort(out.begin(), out.end(),
            [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  return out;
}

Scenario apply_candidate(const Scenario& base, const Candidate& c) {
  Scenario s = base;
  s.precision = make_recipe(c.precision);
  s.recompute = c.recompute;
  s.plan = c.plan;
  for (TrainingPhase& ph : s.phases) {
    const int cp = ph.plan.cp;
    ph.plan = c.plan;
    ph.plan.cp = cp;
    const int rest = c.plan.tp * c.plan.pp * cp;
    ph.plan.dp = c.gpus % rest == 0 ? c.gpus / rest : 0;  // 0: check_plan names it
  }
  return s;
}

}  // namespace llmsim::plan
