#pragma once
// Comparison: cases side by side, one row per figure, the best value in each row marked.
// The one model behind `llmsim compare` (table and --json), the figures `llmsim run` repeats,
// and llmsim-gui's table: the same cases give the same rows, named the same way, everywhere.
// Front ends only lay it out.
//
// The pipeline bubble, defined once (`PipelineBubble`): the time a pipeline rank waits on
// pipeline dependencies (its inputs from a neighbour, or the step's end while others still
// work), i.e. the step's pipeline makespan minus the time the rank's operations take. Exposed
// communication inside an operation (all-to-all, TP) is part of the operation, so it is not
// bubble. Reported for rank 0 and for the rank that waits most.
//
// A case whose plan does not fit in GPU memory is flagged with how much it is over, and is
// never marked best in any row.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "costmodel/estimate/compare/figure_format.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim {

struct PipelineBubble {
  double rank0_s = 0.0;
  double worst_s = 0.0;
  int worst_rank = 0;  // the lowest such rank on a tie
};

PipelineBubble pipeline_bubble(const PipelineResult& r);

// Whether a case's plan fits in its GPUs' memory, and by how much it is over if not.
struct CaseMemory {
  bool fits = true;
  double peak_gib = 0.0;      // the worst pipeline rank's
  double capacity_gib = 0.0;  // HBM per GPU; 0: not known (schedule experiments)
  double over_gib() const { return fits ? 0.0 : peak_gib - capacity_gib; }
  // "" when it fits, else e.g. "88.5 GiB, 14.0 over 74.5".
  std::string over_text() const;
};

struct ComparisonRow {
  std::string key;   // the --json key, e.g. "step_time_s"
  std::string name;  // the header with its unit, e.g. "step time (s)"
  FigureUnit unit = FigureUnit::kSeconds;
  std::vector<std::optional<double>> values;  // in the --json's unit (a fraction, not %)
  bool lower_is_better = true;
  bool ranked = true;  // false for published figures: never marked best
  // Per case, text shown after the number (e.g. "(6.4%)", "rank 7"); empty or one per case.
  std::vector<std::string> notes;
  // best[i]: case i holds the row's best value among the cases that fit (ties all marked);
  // all false when the row is unranked, or those cases do not differ.
  std::vector<bool> best;
  // The value as people read it, with its note: "1.156 (6.4%)"; "" for a missing value.
  std::string format(std::size_t i) const;
};

struct Comparison {
  std::vector<std::string> cases;
  std::vector<CaseMemory> memory;  // per case
  std::vector<ComparisonRow> rows;
  // The row with `key`; InternalError if there is none.
  const ComparisonRow& row(const std::string& key) const;
};

// Training runs (llmsim run's estimates), `labels[i]` naming `runs[i]`: step time, tokens per
// second, MFU, GPU-hours per 1T tokens, total GPU-hours, dollars, days, the bubble (rank 0,
// worst rank), exposed communication and peak memory, each of the first phase's step.
Comparison compare_runs(const std::vector<std::string>& labels,
                        const std::vector<const RunEstimate*>& runs);

// Schedule experiments (costs set by hand, in microseconds): makespan, the bubble (rank 0,
// worst rank) and its share, the published bubble, peak activations, parameter copies.
Comparison compare_schedules(const std::vector<std::string>& labels,
                             const std::vector<ExperimentCase>& cases);

// One object per case: "case", every row's key with its value (null if missing), "fits",
// "memory_over_gib", "memory_capacity_gib", and "best": the keys of the rows it is best in.
nlohmann::json comparison_json(const Comparison& c);

// Header line "metric,<case 1>,<case 2>,..." then one line per row, numbers as format()
// writes them; empty cells for missing values. Fields with commas or quotes are quoted
// (RFC 4180).
std::string comparison_csv(const Comparison& c);

}  // namespace llmsim
