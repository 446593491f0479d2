#include "costmodel/estimate/compare/comparison.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Marks the best value among the cases that fit; nothing when they all hold the same value.
void mark_best(ComparisonRow& row, const std::vector<CaseMemory>& memory) {
  row.best.assign(row.values.size(), false);
  if (!row.ranked || row.values.size() < 2) return;
  std::optional<double> best, worst;
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    const auto& v = row.values[i];
    if (!v || !memory[i].fits) continue;
    if (!best || (row.lower_is_better ? *v < *best : *v > *best)) best = v;
    if (!worst || (row.lower_is_better ? *v > *worst : *v < *worst)) worst = v;
  }
  if (!best) return;
  // Equal up to rounding: the same figure reached by a different sum.
  const auto same = [](double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
  };
  // One fitting case, or all alike, stands out only against cases that do not fit.
  bool differs = !same(*best, *worst);
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    if (row.values[i] && !memory[i].fits) differs = true;
  }
  if (!differs) return;
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    row.best[i] = memory[i].fits && row.values[i] && same(*row.values[i], *best);
  }
}

// Adds a row named `name` (with its unit): one value per item through `get`, best marked
// against `c.memory`. The reference lasts until the next row is added.
template <typename Item, typename Get>
ComparisonRow& add_row(Comparison& c, const std::vector<Item>& items, std::string key,
                       std::string name, FigureUnit unit, bool lower_is_better, Get get) {
  ComparisonRow& row = c.rows.emplace_back();
  row.key = std::move(key);
  row.name = std::move(name);
  row.unit = unit;
  row.lower_is_better = lower_is_better;
  for (const Item& item : items) row.values.push_back(get(item));
  mark_best(row, c.memory);
  return row;
}

// "6.4%, " of the whole, or "" when there is no whole.
std::string share(double part, double whole) {
  return whole > 0 ? fmt::format("{:.1f}%, ", 100.0 * part / whole) : "";
}

// The bubble rows' notes: the share of the step (makespan) each bubble is, and the worst rank:
// "(6.4%)", "(37.0%, rank 7)".

void add_bubble_notes(ComparisonRow& rank0, ComparisonRow& worst,
                      const std::vector<PipelineBubble>& bubbles, const std::vector<double>& whole) {
  for (std::size_t i = 0; i < bubbles.size(); ++i) {
    const std::string r0 = share(bubbles[i].rank0_s, whole[i]);
    rank0.notes.push_back(r0.empty() ? "" : "(" + r0.substr(0, r0.size() - 2) + ")");
    worst.notes.push_back(fmt::format("({}rank {})", share(bubbles[i].worst_s, whole[i]),
                                      bubbles[i].worst_rank));
  }
}

}  // namespace

PipelineBubble pipeline_bubble(const PipelineResult& r) {
  PipelineBubble b;
  if (r.ranks.empty()) return b;
  b.rank0_s = r.ranks.front().bubble.seconds();
  b.worst_s = b.rank0_s;
  for (std::size_t i = 1; i < r.ranks.size(); ++i) {
    if (r.ranks[i].bubble.seconds() > b.worst_s) {
      b.worst_s = r.ranks[i].bubble.seconds();
      b.worst_rank = static_cast<int>(i);
    }
  }
  return b;
}

std::string CaseMemory::over_text() const {
  if (fits) return "";
  return fmt::format("{} GiB, {} over {}", format_figure(peak_gib, FigureUnit::kGiB),
                     format_figure(over_gib(), FigureUnit::kGiB),
                     format_figure(capacity_gib, FigureUnit::kGiB));
}

std::string ComparisonRow::format(std::size_t i) const {
  if (!values[i]) return "";
  std::string s = format_figure(*values[i], unit);
  if (i < notes.size() && !notes[i].empty()) s += " " + notes[i];
  return s;
}

const ComparisonRow& Comparison::row(const std::string& key) const {
  for (const ComparisonRow& r : rows) {
    if (r.key == key) return r;
  }
  throw InternalError("comparison: no row " + key);
}

Comparison compare_runs(const std::vector<std::string>& labels,
                        const std::vector<const RunEstimate*>& runs) {
  LLMSIM_CHECK(labels.size() == runs.size(), "compare_runs: one label per run");
  Comparison c;
  c.cases = labels;
  std::vector<PipelineBubble> bubbles;
  std::vector<double> steps;
  for (const RunEstimate* run : runs) {
    const StepResult& st = run->phases.front().step;
    c.memory.push_back({st.memory_fits, st.peak_memory_bytes / kGiB, st.memory_capacity_bytes / kGiB});
    bubbles.push_back(pipeline_bubble(st.pipeline));
    steps.push_back(st.step_time_s);
  }
  using R = const RunEstimate*;
  const auto step = [](R r) -> const StepResult& { return r->phases.front().step; };
  using Opt = std::optional<double>;
  add_row(c, runs, "step_time_s", "step time (s)", FigureUnit::kSeconds, true,
          [&](R r) { return Opt(step(r).step_time_s); });
  add_row(c, runs, "tokens_per_second", "throughput (tokens/s)", FigureUnit::kTokensPerSecond, false,
          [&](R r) { return Opt(step(r).tokens_per_second); });
  add_row(c, runs, "mfu_bf16_causal", "MFU, BF16 peak, causal (%)", FigureUnit::kFraction, false,
          [&](R r) { return Opt(step(r).mfu_bf16_causal); });
  add_row(c, runs, "gpu_hours_per_trillion_tokens", "GPU-hours per 1T tokens", FigureUnit::kGpuHours, true,
          [](R r) { return Opt(r->gpu_hours_per_trillion_tokens); });
  add_row(c, runs, "total_gpu_hours", "total GPU-hours", FigureUnit::kGpuHours, true,
          [](R r) { return Opt(r->total_gpu_hours); });
  add_row(c, runs, "total_cost_usd", "total cost ($)", FigureUnit::kUsd, true,
          [](R r) { return Opt(r->total_cost_usd); });
  add_row(c, runs, "wall_clock_days", "wall clock (days)", FigureUnit::kDays, true,
          [](R r) { return Opt(r->wall_clock_days); });
  std::size_t i = 0;
  add_row(c, runs, "bubble_rank0_s", "pipeline bubble, rank 0 (s)", FigureUnit::kSeconds, true,
          [&](R) { return Opt(bubbles[i++].rank0_s); });
  i = 0;
  add_row(c, runs, "bubble_worst_s", "pipeline bubble, worst rank (s)", FigureUnit::kSeconds, true,
          [&](R) { return Opt(bubbles[i++].worst_s); });
  add_bubble_notes(c.rows[c.rows.size() - 2], c.rows.back(), bubbles, steps);
  add_row(c, runs, "exposed_comm_s", "exposed communication, busiest rank (s)", FigureUnit::kSeconds,
          true, [&](R r) { return Opt(step(r).breakdown.exposed_comm_s); });
  ComparisonRow& mem = add_row(c, runs, "peak_memory_gib", "peak memory per GPU (GiB)", FigureUnit::kGiB,
                               true, [&](R r) { return Opt(step(r).peak_memory_bytes / kGiB); });
  for (const CaseMemory& m : c.memory) {
    mem.notes.push_back(m.fits ? "" : fmt::format("({} over {})", format_figure(m.over_gib(), FigureUnit::kGiB),
                                                  format_figure(m.capacity_gib, FigureUnit::kGiB)));
  }
  return c;
}

Comparison compare_schedules(const std::vector<std::string>& labels,
                             const std::vector<ExperimentCase>& cases) {
  LLMSIM_CHECK(labels.size() == cases.size(), "compare_schedules: one label per case");
  Comparison c;
  c.cases = labels;
  c.memory.assign(cases.size(), CaseMemory{});
  std::vector<PipelineBubble> bubbles;
  std::vector<double> makespans;
  for (const ExperimentCase& e : cases) {
    bubbles.push_back(pipeline_bubble(e.result));
    makespans.push_back(e.result.makespan.seconds());
  }
  using E = ExperimentCase;
  using Opt = std::optional<double>;
  add_row(c, cases, "makespan_us", "makespan (us)", FigureUnit::kMicroseconds, true,
          [](const E& e) { return Opt(e.summary.makespan_us); });
  std::size_t i = 0;
  add_row(c, cases, "bubble_rank0_us", "pipeline bubble, rank 0 (us)", FigureUnit::kMicroseconds,
          true, [&](const E&) { return Opt(1e6 * bubbles[i++].rank0_s); });
  i = 0;
  add_row(c, cases, "bubble_worst_us", "pipeline bubble, worst rank (us)",
          FigureUnit::kMicroseconds, true, [&](const E&) { return Opt(1e6 * bubbles[i++].worst_s); });
  add_bubble_notes(c.rows[c.rows.size() - 2], c.rows.back(), bubbles, makespans);
  ComparisonRow& published =
      add_row(c, cases, "published_bubble_us", "published bubble (us)", FigureUnit::kMicroseconds, true,
              [](const E& e) { return e.summary.published_bubble_us; });
  published.ranked = false;
  published.best.assign(cases.size(), false);
  add_row(c, cases, "peak_activation_memory", "peak activations (1F1B stages)", FigureUnit::kCount,
          true, [](const E& e) { return Opt(e.summary.peak_activation_memory); });
  add_row(c, cases, "parameter_copies", "parameter copies", FigureUnit::kCount, true,
          [](const E& e) { return Opt(e.summary.parameter_copies); });
  return c;
}

nlohmann::json comparison_json(const Comparison& c) {
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    nlohmann::json one = {{"case", c.cases[i]}};
    nlohmann::json best = nlohmann::json::array();
    for (const ComparisonRow& r : c.rows) {
      one[r.key] = r.values[i] ? nlohmann::json(*r.values[i]) : nlohmann::json(nullptr);
      if (r.best[i]) best.push_back(r.key);
    }
    const CaseMemory& m = c.memory[i];
    one["fits"] = m.fits;
    one["memory_over_gib"] = m.over_gib();
    one["memory_capacity_gib"] = m.capacity_gib;
    one["best"] = best;
    all.push_back(std::move(one));
  }
  return all;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

}  // namespace

std::string comparison_csv(const Comparison& c) {
  std::string out = "metric";
  for (const auto& n : c.cases) out += "," + csv_field(n);
  out += "\n";
  for (const auto& r : c.rows) {
    out += csv_field(r.name);
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      std::string v = r.values[i] ? format_figure(*r.values[i], r.unit) : "";
      v.erase(std::remove(v.begin(), v.end(), ','), v.end());  // a plain number for spreadsheets
      out += "," + v;
    }
    out += "\n";
  }
  return out;
}

}  // namespace llmsim
