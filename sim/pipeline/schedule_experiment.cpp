#include "sim/pipeline/schedule_experiment.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/units.hpp"

namespace llmsim {

double parse_duration(const std::string& name, const std::string& text) {
  const double v = parse_quantity(name, text, QuantityKind::kDuration, "us");
  if (v > 1e12) throw UserError(fmt::format("{} = {}: at most 1e12 microseconds", name, text));
  return v;
}

std::vector<double> parse_duration_list(const std::string& name, const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(parse_duration(name, text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

PipelineCosts costs_for_plan(const CostInputs& in, const PipelinePlan& plan) {
  const std::size_t n = std::max({in.f_us.size(), in.b_us.size(), in.w_us.size(), in.bw_us.size()});
  auto pick = [&](const std::vector<double>& v, const char* name, std::size_t i) {
    if (v.empty()) throw UserError(fmt::format("{}: no value given", name));
    if (v.size() == 1) return v[0];
    if (v.size() != n) {
      throw UserError(fmt::format("{}: {} values given but another cost list has {}; give one "
                                  "value for all stages or the same number for each",
                                  name, v.size(), n));
    }
    return v[i];
  };
  const double share = n == 1 ? static_cast<double>(plan.pp) / plan.num_stages : 1.0;
  auto us = [&](double v, const char* name) {
    if (!(v >= 0.0) || v > 1e12) {
      throw UserError(fmt::format("{} = {}: must be between 0 and 1e12 microseconds", name, v));
    }
    return SimTime::from_us(share * v);
  };
  PipelineCosts c;
  c.stages.assign(n, StageCost{});
  for (std::size_t i = 0; i < n; ++i) {
    c.stages[i].f = us(pick(in.f_us, "F", i), "F");
    c.stages[i].b = us(pick(in.b_us, "B", i), "B");
    c.stages[i].w = us(pick(in.w_us, "W", i), "W");
    if (!in.bw_us.empty()) c.stages[i].bw = us(pick(in.bw_us, "BW", i), "BW");
  }
  if (in.fb_us) c.fb = us(*in.fb_us, "F&B");
  if (!(in.p2p_latency_us >= 0.0) || !(in.p2p_bytes >= 0.0) || !(in.p2p_gbps >= 0.0)) {
    throw UserError("p2p latency, bytes and bandwidth must not be negative");
  }
  c.p2p_latency = SimTime::from_us(in.p2p_latency_us);
  c.p2p_bytes = in.p2p_bytes;
  c.p2p_bytes_per_second = in.p2p_gbps * 1e9;
  return c;
}

std::optional<double> published_bubble_us(const PipelinePlan& plan, const PipelineCosts& c) {
  if (c.stages.size() != 1 || c.transfer_time() != SimTime::zero()) return std::nullopt;
  const double f = c.stages[0].f.us();
  const double w = c.stages[0].w.us();
  const double bfull = c.stages[0].full_backward().us();
  const double fb = c.fb ? c.fb->us() : f + bfull;
  const double pp = plan.pp;
  switch (plan.method) {
    case ScheduleMethod::k1F1B: return (pp - 1) * (f + bfull);
    case ScheduleMethod::kZB1P: return (pp - 1) * (f + bfull - 2 * w);
    case ScheduleMethod::kDualPipe: return (pp / 2 - 1) * (fb + bfull - 3 * w);
    case ScheduleMethod::kDualPipeV: return (plan.num_stages / 2.0 - 1) * (fb + bfull - 3 * w);
    default: return std::nullopt;
  }
}

std::string case_title(const PipelinePlan& p) {
  std::string t = fmt::format("{}  pp={}  micro-batches={}", schedule_method_name(p.method), p.pp,
                              p.micro_batches);
  if (p.method == ScheduleMethod::kInterleaved1F1B) t += fmt::format("  vpp={}", p.vpp);
  return t;
}

CaseSummary summarize_case(const PipelinePlan& plan, const PipelineCosts& costs,
                           const PipelineResult& result) {
  CaseSummary s;
  s.makespan_us = result.makespan.us();
  s.max_bubble_us = result.max_bubble().us();
  s.bubble_share = s.makespan_us > 0 ? s.max_bubble_us / s.makespan_us : 0.0;
  for (const auto& r : result.ranks) {
    s.peak_activation_memory = std::max(s.peak_activation_memory, r.peak_activation_memory);
    s.peak_activations = std::max(s.peak_activations, r.peak_activations);
    s.parameter_copies = std::max(s.parameter_copies, r.parameter_copies);
  }
  s.published_bubble_us = published_bubble_us(plan, costs);
  return s;
}

std::vector<ExperimentCase> run_experiment(const ScheduleExperiment& e) {
  if (e.methods.empty()) throw UserError("no schedule chosen; allowed: " + schedule_method_list());
  std::vector<ExperimentCase> cases;
  cases.reserve(e.methods.size());
  for (ScheduleMethod m : e.methods) {
    ScheduleRequest req{m, e.pp, e.micro_batches, 1};
    if (m == ScheduleMethod::kInterleaved1F1B) req.vpp = e.vpp == 0 ? 2 : e.vpp;
    ExperimentCase c;
    c.plan = make_schedule(req);
    c.costs = costs_for_plan(e.costs, c.plan);
    c.result = run_pipeline(c.plan, c.costs);
    c.title = case_title(c.plan);
    c.summary = summarize_case(c.plan, c.costs, c.result);
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace llmsim
