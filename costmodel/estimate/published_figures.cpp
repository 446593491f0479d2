#include "costmodel/estimate/published_figures.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_total_quantity(FigureQuantity q) {
  return q == FigureQuantity::kTotalGpuHours || q == FigureQuantity::kTotalCost;
}

using PhaseList = std::vector<const TrainingPhase*>;

// The scenario's phases the figure covers, or why they cannot be found.
std::optional<std::string> covered_phases(const ReferenceFigure& f, const Scenario& s,
                                          PhaseList& out) {
  for (const std::string& name : f.phases) {
    const TrainingPhase* p = s.find_phase(name);
    if (!p) return fmt::format("the figure covers phase '{}', which the scenario does not have", name);
    out.push_back(p);
  }
  if (is_total_quantity(f.quantity)) {
    if (f.phases.empty()) {
      for (const TrainingPhase& p : s.phases) out.push_back(&p);
      return std::nullopt;
    }
    for (const TrainingPhase& p : s.phases) {
      if (std::find(out.begin(), out.end(), &p) == out.end()) {
        return fmt::format("the scenario has phase '{}', which the published total does not "
                           "include", p.name);
      }
    }
  }
  if (out.empty() && !s.phases.empty()) out.push_back(&s.phases.front());
  return std::nullopt;
}

template <class T>
std::optional<std::string> differs(const char* what, const std::optional<T>& want, const T& have) {
  if (!want || *want == have) return std::nullopt;
  return fmt::format("the scenario has {} {}, the figure {}", what, have, *want);
}

std::optional<std::string> differs_text(const char* what, const std::optional<std::string>& want,
                                        std::string_view have) {
  if (!want || same_text(*want, have)) return std::nullopt;
  return fmt::format("the scenario has {} {}, the figure {}", what, have, *want);
}

std::optional<std::string> phase_mismatch(const FigureConditions& c, const TrainingPhase& p) {
  const ParallelPlan& plan = p.plan;
  std::optional<std::string> why;
  if (c.gpus && *c.gpus != plan.gpus()) {
    return fmt::format("the scenario runs {} on {} GPUs, the figure on {}", p.name, plan.gpus(), *c.gpus);
  }
  if ((why = differs("seq_len", c.seq_len, p.seq_len))) return why;
  if ((why = differs("tp", c.tp, plan.tp)) || (why = differs("pp", c.pp, plan.pp)) ||
      (why = differs("dp", c.dp, plan.dp)) || (why = differs("ep", c.ep, plan.ep)) ||
      (why = differs("cp", c.cp, plan.cp))) {
    return fmt::format("{} in {}", *why, p.name);
  }
  return differs_text("schedule", c.schedule, schedule_method_name(plan.schedule));
}

std::optional<std::string> scenario_mismatch(const FigureConditions& c, const Scenario& s) {
  std::optional<std::string> why;
  if ((why = differs_text("model", c.model, s.model.name))) return why;
  if ((why = differs_text("GPU", c.gpu, s.gpu.name))) return why;
  if ((why = differs_text("precision", c.precision, s.precision.name()))) return why;
  if (c.usd_per_gpu_hour && *c.usd_per_gpu_hour != s.usd_per_gpu_hour) {
    return fmt::format("the scenario prices a GPU-hour at ${:g}, the figure at ${:g}",
                       s.usd_per_gpu_hour, *c.usd_per_gpu_hour);
  }
  return std::nullopt;
}

const ServingDeployment* deployment_of(const Scenario& s, const char* role) {
  for (const ServingDeployment& d : s.serving.deployments) {
    if (d.role == role) return &d;
  }
  return nullptr;
}

std::optional<std::string> role_mismatch(const Scenario& s, const char* role,
                                         const std::optional<int>& nodes,
                                         const std::optional<int>& ep) {
  if (!nodes && !ep) return std::nullopt;
  const ServingDeployment* d = deployment_of(s, role);
  if (!d) return fmt::format("the scenario has no {} deployment, the figure does", role);
  if (nodes && *nodes != d->nodes) {
    return fmt::format("the scenario's {} deployment has {} nodes, the figure's {}", role, d->nodes, *nodes);
  }
  const int have = d->ep > 0 ? d->ep : d->nodes * s.cluster.gpus_per_node;
  if (ep && *ep != have) {
    return fmt::format("the scenario's {} deployment has EP {}, the figure's {}", role, have, *ep);
  }
  return std::nullopt;
}

std::optional<std::string> serving_mismatch(const ReferenceFigure& f, const Scenario& s) {
  if (s.workload != WorkloadKind::kServing) return "the figure is of a serving deployment";
  const FigureConditions& c = f.conditions;
  if (auto why = scenario_mismatch(c, s)) return why;
  if (auto why = role_mismatch(s, "prefill", c.prefill_nodes, c.prefill_ep)) return why;
  if (auto why = role_mismatch(s, "decode", c.decode_nodes, c.decode_ep)) return why;
  const DailyVolume& v = s.serving.daily;
  if (c.daily_input_tokens && *c.daily_input_tokens != v.input_tokens) {
    return fmt::format("the scenario serves {:g} input tokens a day, the figure {:g}", v.input_tokens, *c.daily_input_tokens);
  }
  if (c.daily_output_tokens && *c.daily_output_tokens != v.output_tokens) {
    return fmt::format("the scenario serves {:g} output tokens a day, the figure {:g}", v.output_tokens, *c.daily_output_tokens);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> figure_mismatch(const ReferenceFigure& f, const Scenario& s) {
  if (is_serving_quantity(f.quantity)) return serving_mismatch(f, s);
  if (s.workload != WorkloadKind::kTraining) return "the scenario is not a training job";
  const FigureConditions& c = f.conditions;
  if (auto why = scenario_mismatch(c, s)) return why;
  PhaseList phases;
  if (auto why = covered_phases(f, s, phases)) return why;
  double tokens = 0.0;
  for (const TrainingPhase* p : phases) {
    if (auto why = phase_mismatch(c, *p)) return why;
    tokens += p->tokens;
  }
  if (c.tokens && std::fabs(tokens / *c.tokens - 1.0) > 1e-6) {
    return fmt::format("the scenario trains {:g} tokens, the figure {:g}", tokens, *c.tokens);
  }
  return std::nullopt;
}

namespace {

const PhaseEstimate* estimate_of(const RunEstimate& run, const std::string& name) {
  for (const PhaseEstimate& p : run.phases) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

double per_trillion(double value, double tokens) { return tokens > 0 ? value / (tokens / 1e12) : 0.0; }

// Our step in the figure's FLOP convention: the convention's FLOPs of the step (model, global
// batch, sequence length, recompute policy, TP for Megatron's vocabulary padding) over our step
// time. The peak is the GPU's dense BF16 (or FP8) peak, the one each convention divides by:
// A100 312, H100 / H200 989.4 TFLOP/s (scenarios/validation/README.md, conventions table).
double in_convention(const ReferenceFigure& f, const Scenario& s, const PhaseEstimate& p) {
  const TrainingPhase& phase = *s.find_phase(p.name);
  const ConventionStep step{p.step.global_batch, p.step.seq_len, s.recompute, phase.plan.tp};
  const ConventionFlops flops = convention_flops(f.convention, s.model, step);
  const double gpu_seconds = phase.plan.gpus() * p.step.step_time_s;
  switch (f.quantity) {
    case FigureQuantity::kTflopsPerGpu: return flops.model_flops / gpu_seconds / 1e12;
    case FigureQuantity::kMfuBf16:
      return 100.0 * flops.model_flops / (s.gpu.bf16_tflops * 1e12 * gpu_seconds);
    case FigureQuantity::kHfuBf16:
      return 100.0 * flops.hardware_flops / (s.gpu.bf16_tflops * 1e12 * gpu_seconds);
    case FigureQuantity::kMfuFp8:
      return s.gpu.has_fp8() ? 100.0 * flops.model_flops / (s.gpu.fp8_tflops * 1e12 * gpu_seconds)
                             : 0.0;
    default: break;  // the reader gives other quantities no convention
  }
  throw InternalError(fmt::format("figure {}: {} has no FLOP convention", f.id,
                                  figure_quantity_name(f.quantity)));
}

double our_value(const ReferenceFigure& f, const Scenario& s, const RunEstimate& run) {
  const std::string& first = f.phases.empty() ? s.phases.front().name : f.phases.front();
  const PhaseEstimate& p = *estimate_of(run, first);
  if (f.convention != FlopConvention::kLlmsim) return in_convention(f, s, p);
  double hours = 0.0, usd = 0.0;
  for (const std::string& n : f.phases) {
    hours += estimate_of(run, n)->gpu_hours;
    usd += estimate_of(run, n)->cost_usd;
  }
  switch (f.quantity) {
    case FigureQuantity::kStepTime: return p.step.step_time_s;
    case FigureQuantity::kMfuBf16: return p.step.mfu_bf16_causal * 100.0;
    case FigureQuantity::kMfuBf16FullAttention: return p.step.mfu_bf16_full * 100.0;
    case FigureQuantity::kHfuBf16: return p.step.hfu_bf16 * 100.0;
    case FigureQuantity::kMfuFp8: return p.step.mfu_fp8_causal * 100.0;
    case FigureQuantity::kTflopsPerGpu: return p.step.tflops_per_gpu;
    case FigureQuantity::kTokensPerSecond: return p.step.tokens_per_second;
    case FigureQuantity::kPeakMemoryGib: return p.step.peak_memory_bytes / (1024.0 * 1024 * 1024);
    case FigureQuantity::kPhaseGpuHours: return hours;
    case FigureQuantity::kPhaseCost: return usd;
    case FigureQuantity::kTotalGpuHours: return run.total_gpu_hours;
    case FigureQuantity::kTotalCost: return run.total_cost_usd;
    case FigureQuantity::kGpuHoursPerTrillionTokens: return per_trillion(p.gpu_hours, p.tokens);
    case FigureQuantity::kDaysPerTrillionTokens: return per_trillion(p.seconds / 86400.0, p.tokens);
    default: break;  // serving quantities never match a training scenario
  }
  return 0.0;
}

double our_serving_value(const ReferenceFigure& f, const ServingEstimate& e) {
  switch (f.quantity) {
    case FigureQuantity::kPrefillInputTokensPerNode: return e.prefill_input_tokens_per_s_per_node;
    case FigureQuantity::kDecodeOutputTokensPerNode: return e.decode_output_tokens_per_s_per_node;
    case FigureQuantity::kNodesForDailyVolume: return e.nodes_for_daily_volume;
    case FigureQuantity::kServingCostPerDay: return e.cost_per_day_usd;
    case FigureQuantity::kServingRevenuePerDay: return e.revenue_per_day_usd;
    default: break;
  }
  return 0.0;
}

// Each figure shown beside `ours(figure)` or dropped with the reason; a figure whose FLOP
// count was never published is shown alone.
template <typename Ours>
PublishedComparison compare_with(const Scenario& s, Ours ours) {
  PublishedComparison out;
  for (const ReferenceFigure& f : s.reference) {
    if (auto why = figure_mismatch(f, s)) {
      out.dropped.push_back({&f, *why});
      continue;
    }
    if (!is_published_convention(f.convention)) {
      out.shown.push_back({&f, 0.0, 0.0, false,
                           fmt::format("not compared: {}", flop_convention_summary(f.convention))});
      continue;
    }
    const double v = ours(f);
    out.shown.push_back({&f, v, f.value != 0 ? v / f.value - 1.0 : 0.0, true, {}});
  }
  return out;
}

}  // namespace

PublishedComparison compare_published(const Scenario& s, const RunEstimate& run) {
  return compare_with(s, [&](const ReferenceFigure& f) { return our_value(f, s, run); });
}

PublishedComparison compare_published(const Scenario& s, const ServingEstimate& e) {
  return compare_with(s, [&](const ReferenceFigure& f) { return our_serving_value(f, e); });
}

DeviationSummary summarize_deviations(const PublishedComparison& c) {
  DeviationSummary d;
  std::vector<double> devs;
  for (const ShownFigure& f : c.shown) {
    if (f.figure->value == 0 || !f.compared) continue;
    devs.push_back(f.deviation);
    d.below += f.deviation < 0;
    d.above += f.deviation > 0;
    if (!d.worst_figure || std::fabs(f.deviation) > std::fabs(d.worst)) {
      d.worst = f.deviation;
      d.worst_figure = f.figure;
    }
  }
  d.count = static_cast<int>(devs.size());
  if (devs.empty()) return d;
  std::sort(devs.begin(), devs.end());
  const std::size_t n = devs.size();
  d.median = n % 2 ? devs[n / 2] : 0.5 * (devs[n / 2 - 1] + devs[n / 2]);
  return d;
}

}  // namespace llmsim
