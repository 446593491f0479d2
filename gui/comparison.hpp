#pragma once
// The comparison table: one row per metric, one column per compared case, the best value in
// each row marked. Plain C++ without Qt; the Qt item model only adapts it.

#include <optional>
#include <string>
#include <vector>

#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

struct ComparisonRow {
  std::string metric;  // with its unit, e.g. "makespan (us)"
  std::vector<std::optional<double>> values;
  bool lower_is_better = true;
  bool ranked = true;  // false for reference rows (published figures): no best marked
  int decimals = -1;   // digits after the point; -1: six significant digits
  // best[i]: case i holds the row's best value (ties all marked); all false when the row is
  // unranked, has one case, or every case has the same value.
  std::vector<bool> best;
  std::string format(std::size_t i) const;  // "" for a missing value
};

// The training figures of a case built from a scenario (llmsim run's), when there is one.
struct TrainingFigures {
  double step_time_s = 0.0;
  double tokens_per_second = 0.0;
  double mfu_bf16_causal = 0.0;  // fraction
  double gpu_hours_per_trillion_tokens = 0.0;
  double total_gpu_hours = 0.0;
  double total_cost_usd = 0.0;
  double peak_memory_gib = 0.0;
};

// `training`: empty for a schedule experiment, else one entry per case; its rows come first.
std::vector<ComparisonRow> comparison_rows(const std::vector<ExperimentCase>& cases,
                                           const std::vector<TrainingFigures>& training = {});

// Header line "metric,<case 1>,<case 2>,..." then one line per row; empty cells for missing
// values. Fields with commas or quotes are quoted (RFC 4180).
std::string comparison_csv(const std::vector<ComparisonRow>& rows,
                           const std::vector<std::string>& case_names);


}  // namespace llmsim::gui
