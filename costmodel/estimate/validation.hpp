#pragma once
// Validation against published training runs: each run is a scenario file whose `reference:`
// figures were measured on the real job (step time, MFU, TFLOPS per GPU, tokens per second,
// GPU-hours). The estimate is compared with every figure that describes the scenario, and each
// run's error is expressed as a step-time error (a rate figure: published / ours - 1, so a
// negative error is always "llmsim too fast"). Nothing here feeds back into any estimate: the
// figures are for validation only.
//
//   ValidationReport r = validate_runs(files, data_dir);
//   r.runs[i].step_error;     // -0.12: llmsim's step is 12% shorter than the measured one
//   r.summary.median;         // over the runs that ran

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/estimate/published_figures.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"

namespace llmsim {

// A figure's error as an error of the step time: time-like quantities (step time, GPU-hours,
// days, cost) ours / published - 1; rate-like ones (MFU, TFLOPS, tokens/s) published / ours - 1.
double step_time_error(FigureQuantity q, double published, double ours);

struct ValidationRun {
  std::string file;
  Scenario scenario;
  RunEstimate estimate;
  PublishedComparison comparison;  // points into `scenario`
  // The run's step-time error, from its first figure in the order step time, tokens per
  // second, TFLOPS per GPU, MFU, GPU-hours (nullopt: no figure describes the scenario).
  std::optional<double> step_error;
  const ReferenceFigure* step_figure = nullptr;
  // Peak memory: ours / published - 1, from the run's peak_memory_gib figure (nullopt: none).
  std::optional<double> memory_error;
  const ReferenceFigure* memory_figure = nullptr;
  double seconds = 0.0;  // llmsim's own time for the run
};

struct ValidationSummary {
  int runs = 0;           // runs with a step-time error
  double median = 0.0;    // signed, over those runs
  double median_abs = 0.0;
  double worst = 0.0;     // the largest in size, with its sign
  std::string worst_run;  // its scenario name
  int too_fast = 0;       // step shorter than measured (memory: ours below the published peak)
  int too_slow = 0;
};

struct ValidationReport {
  std::vector<ValidationRun> runs;
  ValidationSummary summary;
  std::vector<std::pair<std::string, ValidationSummary>> by_gpu;  // in first-seen order
  // By source family: the run name up to its first '-' (megatron2021, korthikanti2022,
  // mosaicml, nemo, torchtitan, ...), i.e. by publisher and stack, in first-seen order.
  std::vector<std::pair<std::string, ValidationSummary>> by_family;
  ValidationSummary memory;  // over the runs' memory errors (too_fast: ours below)
};

// The shipped set: every *.yaml under data_dir/validation/ and the training scenarios directly
// under data_dir that carry reference figures, sorted by path.
std::vector<std::string> default_validation_files(const std::string& data_dir);

// Runs each file (in order; one thread per file up to `threads`, results in file order).
// A file that cannot be read or run throws UserError naming it. `progress`, when given, is
// called after each file with the files done and their total, one call at a time.
using ValidationProgress = std::function<void(std::size_t done, std::size_t total)>;
ValidationReport validate_runs(const std::vector<std::string>& files, const std::string& data_dir,
                               int threads = 1, const ValidationProgress& progress = {});

ValidationSummary summarize_runs(const std::vector<const ValidationRun*>& runs);
ValidationSummary summarize_memory(const std::vector<const ValidationRun*>& runs);

}  // namespace llmsim
