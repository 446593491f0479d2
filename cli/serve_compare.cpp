#include "cli/serve_compare.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/published_text.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

struct ServingCase {
  std::string label;
  ServingEstimate estimate;
};

double per_iteration(double sum, const DeploymentActivity& a) {
  return a.iterations > 0 ? sum / static_cast<double>(a.iterations) : 0.0;
}

// What moved in one deployment's mean iteration at capacity, against the baseline.
std::string iteration_change(const DeploymentCapacity& a, const DeploymentCapacity& b) {
  const DeploymentActivity &x = a.activity, &y = b.activity;
  const double ta = per_iteration(x.busy_unit_s, x), tb = per_iteration(y.busy_unit_s, y);
  return fmt::format("{} iteration {:.2f} -> {:.2f} ms (computation {:+.2f}, attention {:+.2f}, "
                     "communication {:+.2f} ms; {:.1f} -> {:.1f} decoding sequences per rank)",
                     b.name, 1e3 * ta, 1e3 * tb,
                     1e3 * (per_iteration(y.compute_s, y) - per_iteration(x.compute_s, x)),
                     1e3 * (per_iteration(y.attention_s, y) - per_iteration(x.attention_s, x)),
                     1e3 * (per_iteration(y.comm_s, y) - per_iteration(x.comm_s, x)),
                     per_iteration(x.decode_seqs, x), per_iteration(y.decode_seqs, y));
}

double change(double from, double to) { return from > 0.0 ? 100.0 * (to / from - 1.0) : 0.0; }

std::string explain(const ServingCase& base, const ServingCase& c) {
  const ServingEstimate &a = base.estimate, &b = c.estimate;
  std::string out = fmt::format(
      "{}: prefill {:+.1f}%, decode {:+.1f}% tokens/s per node, nodes for the day {:+.1f}% vs {}",
      c.label, change(a.prefill_input_tokens_per_s_per_node, b.prefill_input_tokens_per_s_per_node),
      change(a.decode_output_tokens_per_s_per_node, b.decode_output_tokens_per_s_per_node),
      change(a.nodes_for_daily_volume, b.nodes_for_daily_volume), base.label);
  for (std::size_t i = 0; i < a.capacity.size() && i < b.capacity.size(); ++i) {
    out += "; " + iteration_change(a.capacity[i], b.capacity[i]);
  }
  return out;
}

nlohmann::json case_json(const ServingCase& base, const ServingCase& c) {
  const ServingEstimate& e = c.estimate;
  return {{"case", c.label},
          {"ttft_s_p50", e.metrics.ttft_s.p50}, {"ttft_s_p99", e.metrics.ttft_s.p99},
          {"tpot_s_p50", e.metrics.tpot_s.p50}, {"tpot_s_p99", e.metrics.tpot_s.p99},
          {"prefill_input_tokens_per_s_per_node", e.prefill_input_tokens_per_s_per_node},
          {"decode_output_tokens_per_s_per_node", e.decode_output_tokens_per_s_per_node},
          {"nodes_for_daily_volume", e.nodes_for_daily_volume},
          {"usd_per_million_output_tokens", e.usd_per_million_output_tokens},
          {"explain", explain(base, c)}};
}

void print_cases(const std::vector<ServingCase>& cases, bool json) {
  if (json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& c : cases) all.push_back(case_json(cases.front(), c));
    fmt::print("{}\n", all.dump(1));
    return;
  }
  fmt::print("{:<40} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12} {:>8} {:>9}\n", "case", "TTFT p50 s",
             "TTFT p99 s", "TPOT p50 s", "TPOT p99 s", "prefill/node", "decode/node", "nodes",
             "$/M out");
  for (const auto& c : cases) {
    const ServingEstimate& e = c.estimate;
    fmt::print("{:<40} {:>10.4f} {:>10.4f} {:>10.4f} {:>10.4f} {:>12} {:>12} {:>8.1f} {:>9.3f}\n",
               c.label, e.metrics.ttft_s.p50, e.metrics.ttft_s.p99, e.metrics.tpot_s.p50,
               e.metrics.tpot_s.p99, human(e.prefill_input_tokens_per_s_per_node),
               human(e.decode_output_tokens_per_s_per_node), e.nodes_for_daily_volume,
               e.usd_per_million_output_tokens);
  }
  fmt::print("(prefill/node: input tokens/s per node at capacity; decode/node: output tokens/s per "
             "node; nodes: for the daily volume)\n");
  if (cases.size() < 2) return;
  fmt::print("\nWhat changed, against the first case:\n");
  for (std::size_t i = 1; i < cases.size(); ++i) fmt::print("  {}\n", explain(cases.front(), cases[i]));
}

}  // namespace

void compare_serving(const std::vector<ComparePoint>& points, bool json) {
  InterruptGuard guard;
  Progress progress("compare", "Ctrl-C stops and keeps what is done");
  std::vector<ServingCase> cases;
  for (const ComparePoint& p : points) {
    if (guard.interrupted()) break;
    const Scenario s = load_scenario(p.file, p.overrides, default_data_dir());
    if (s.workload != WorkloadKind::kServing) {
      throw UserError(fmt::format("compare {}: not a serving scenario; compare serving scenarios "
                                  "with serving scenarios", p.label));
    }
    const calibration::Profile profile = scenario_profile(s);
    ServingOptions o;
    o.max_spans = 0;
    cases.push_back(ServingCase{p.label, estimate_serving(s, profile, o)});
    progress.update(cases.size(), points.size(), p.label);
  }
  if (!cases.empty()) print_cases(cases, json);
  if (cases.size() < points.size()) {
    throw Interrupted{fmt::format("compare: interrupted after {} of {} cases; the finished ones "
                                  "are printed above", cases.size(), points.size())};
  }
}

}  // namespace llmsim::cli
