#include "gui/comparison.hpp"

#include <fmt/format.h>

namespace llmsim::gui {

namespace {

void mark_best(ComparisonRow& row) {
  row.best.assign(row.values.size(), false);
  if (!row.ranked || row.values.size() < 2) return;
  std::optional<double> best, worst;
  for (const auto& v : row.values) {
    if (!v) continue;
    const bool better = !best || (row.lower_is_better ? *v < *best : *v > *best);
    const bool worse = !worst || (row.lower_is_better ? *v > *worst : *v < *worst);
    if (better) best = v;
    if (worse) worst = v;
  }
  if (!best || *best == *worst) return;  // nothing stands out
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    row.best[i] = row.values[i] && *row.values[i] == *best;
  }
}

}  // namespace

std::string ComparisonRow::format(std::size_t i) const {
  if (!values[i]) return "";
  if (decimals >= 0) return fmt::format("{:.{}f}", *values[i], decimals);
  return fmt::format("{:.6g}", *values[i]);
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

std::vector<ComparisonRow> comparison_rows(const std::vector<ExperimentCase>& cases,
                                           const std::vector<TrainingFigures>& training) {
  std::vector<ComparisonRow> rows;
  auto add_training = [&](std::string metric, bool lower_better, auto getter, int decimals = -1) {
    ComparisonRow row;
    row.metric = std::move(metric);
    row.lower_is_better = lower_better;
    row.decimals = decimals;
    for (const auto& t : training) row.values.push_back(getter(t));
    mark_best(row);
    rows.push_back(std::move(row));
  };
  if (!training.empty()) {
    using T = TrainingFigures;
    add_training("step time (s)", true, [](const T& t) { return std::optional(t.step_time_s); }, 3);
    add_training("tokens per second", false,
                 [](const T& t) { return std::optional(t.tokens_per_second); }, 0);
    add_training("MFU, BF16 peak, causal (%)", false,
                 [](const T& t) { return std::optional(100 * t.mfu_bf16_causal); }, 1);
    add_training("GPU-hours per 1e12 tokens", true,
                 [](const T& t) { return std::optional(t.gpu_hours_per_trillion_tokens); }, 0);
    add_training("total GPU-hours", true,
                 [](const T& t) { return std::optional(t.total_gpu_hours); }, 0);
    add_training("total cost (USD)", true,
                 [](const T& t) { return std::optional(t.total_cost_usd); }, 0);
    add_training("peak memory per GPU (GiB)", true,
                 [](const T& t) { return std::optional(t.peak_memory_gib); }, 1);
  }
  auto add = [&](std::string metric, bool lower_better, bool ranked, auto getter,
                 int decimals = -1) {
    ComparisonRow row;
    row.metric = std::move(metric);
    row.lower_is_better = lower_better;
    row.ranked = ranked;
    row.decimals = decimals;
    for (const auto& c : cases) row.values.push_back(getter(c.summary));
    mark_best(row);
    rows.push_back(std::move(row));
  };
  using S = CaseSummary;
  add("makespan (us)", true, true, [](const S& s) { return std::optional(s.makespan_us); });
  add("max bubble (us)", true, true, [](const S& s) { return std::optional(s.max_bubble_us); });
  add("bubble share (%)", true, true,
      [](const S& s) { return std::optional(100.0 * s.bubble_share); }, 1);
  add("published bubble (us)", true, false, [](const S& s) { return s.published_bubble_us; });
  add("peak activations (1F1B stages)", true, true,
      [](const S& s) { return std::optional(s.peak_activation_memory); });
  add("parameter copies", true, true, [](const S& s) { return std::optional(s.parameter_copies); });
  return rows;
}

std::string comparison_csv(const std::vector<ComparisonRow>& rows,
                           const std::vector<std::string>& case_names) {
  std::string out = "metric";
  for (const auto& n : case_names) out += "," + csv_field(n);
  out += "\n";
  for (const auto& r : rows) {
    out += csv_field(r.metric);
    for (std::size_t i = 0; i < r.values.size(); ++i) out += "," + r.format(i);
    out += "\n";
  }
  return out;
}

}  // namespace llmsim::gui
