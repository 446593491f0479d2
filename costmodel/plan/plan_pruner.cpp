#include "costmodel/plan/plan_pruner.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "costmodel/account/memory.hpp"
#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/plan_check.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "sim/check.hpp"

namespace llmsim::plan {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr std::array<std::string_view, 6> kReasonNames = {"",         "plan",   "memory",
                                                          "deadline", "budget", "bound"};

std::optional<PlanProblem> plan_problem(const Scenario& s) {
  for (const TrainingPhase& ph : s.phases) {
    auto problem = check_plan(ph.plan, s.cluster.gpus(), s.model);
    if (!problem) problem = check_phase(ph);
    if (problem) {
      problem->message = fmt::format("{}: {}: {}", ph.name, problem->field, problem->message);
      return problem;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view prune_reason_name(PruneReason r) {
  return kReasonNames[static_cast<std::size_t>(r)];
}

std::optional<PruneReason> parse_prune_reason(std::string_view name) {
  for (std::size_t i = 0; i < kReasonNames.size(); ++i) {
    if (kReasonNames[i] == name) return static_cast<PruneReason>(i);
  }
  return std::nullopt;
}

Verdict check_candidate(const Scenario& s) {
  Verdict v;
  if (auto problem = plan_problem(s)) {
    v.reason = PruneReason::kPlan;
    v.detail = problem->message;
    return v;
  }
  for (const TrainingPhase& ph : s.phases) {
    MemoryEstimate m;
    try {
      m = estimate_memory(s.model, memory_request(s, ph));
    } catch (const UserError& e) {
      v.reason = PruneReason::kPlan;
      v.detail = fmt::format("{}: {}", ph.name, e.what());
      return v;
    }
    v.peak_memory_bytes = std::max(v.peak_memory_bytes, m.worst().total_bytes());
    if (!m.fits()) {
      v.reason = PruneReason::kMemory;
      v.detail = fmt::format("{}: {:.1f} GiB on rank {} of {:.1f} GiB", ph.name,
                             m.worst().total_bytes() / kGiB, m.worst_rank,
                             m.request.capacity_bytes / kGiB);
      return v;
    }
  }
  return v;
}

LowerBound compute_bound(const Scenario& s) {
  const bool fp8 = s.precision.linear_gemm == Precision::kFP8 && s.gpu.has_fp8();
  const double peak_flops = 1e12 * std::max(s.gpu.bf16_tflops, fp8 ? s.gpu.fp8_tflops : 0.0);
  const int gpus = s.cluster.gpus();
  LowerBound b;
  for (const TrainingPhase& ph : s.phases) {
    const ModelTotals t = model_totals(s.model, ph.seq_len, true);
    b.seconds += ph.tokens * t.train_flops_per_token / (gpus * peak_flops);
  }
  b.cost_usd = b.seconds * gpus / 3600.0 * s.usd_per_gpu_hour;
  return b;
}

LowerBound timed_compute_bound(const Scenario& s, const calibration::Profile& profile,
                               CollectiveCache* collectives) {
  StepOptions options;
  options.collective_cache = collectives;
  LowerBound b;
  for (const TrainingPhase& ph : s.phases) {
    b.seconds += ph.tokens * compute_seconds_per_token(s, ph, profile, options);
  }
  b.cost_usd = b.seconds * s.cluster.gpus() / 3600.0 * s.usd_per_gpu_hour;
  return b;
}

std::string_view objective_name(Objective o) {
  switch (o) {
    case Objective::kCost: return "cost";
    case Objective::kTime: return "time";
    case Objective::kPareto: return "pareto";
  }
  return "?";
}

Verdict check_bound(const LowerBound& bound, const Limits& limits, Objective objective,
                    double threshold, const char* what) {
  Verdict v;
  if (limits.deadline_days > 0 && bound.days() > limits.deadline_days) {
    v.reason = PruneReason::kDeadline;
    v.detail = fmt::format("at least {:.1f} days from {}, deadline {:g} days", bound.days(), what,
                           limits.deadline_days);
  } else if (limits.budget_usd > 0 && bound.cost_usd > limits.budget_usd) {
    v.reason = PruneReason::kBudget;
    v.detail = fmt::format("at least ${:.4g} from {}, budget ${:.4g}", bound.cost_usd, what,
                           limits.budget_usd);
  } else if (threshold > 0 && objective == Objective::kCost && bound.cost_usd >= threshold) {
    v.reason = PruneReason::kBound;
    v.detail = fmt::format("at least ${:.4g} from {}; the top plans so far cost at most ${:.4g}",
                           bound.cost_usd, what, threshold);
  } else if (threshold > 0 && objective == Objective::kTime && bound.days() >= threshold) {
    v.reason = PruneReason::kBound;
    v.detail = fmt::format(
        "at least {:.2f} days from {}; the top plans so far take at most "
        "{:.2f} days",
        bound.days(), what, threshold);
  }
  return v;
}

}  // namespace llmsim::plan
