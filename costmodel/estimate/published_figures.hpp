#pragma once
// Published figures beside our estimate: each figure of the scenario is shown only while the
// scenario still meets its conditions (model, GPU type and count, precision, tokens, plan); the
// others are listed as dropped, with the first condition that fails. Our number for a figure
// is chosen by its quantity, never by its wording. A TFLOP/s, MFU or HFU figure counted in
// another FLOP convention (ReferenceFigure::convention) is compared with our step time counted
// its way (account/flop_conventions), against the GPU's dense peak as that convention takes it.

#include <optional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"

namespace llmsim {

struct ShownFigure {
  const ReferenceFigure* figure = nullptr;
  double ours = 0.0;       // in the figure's unit and FLOP convention
  double deviation = 0.0;  // ours / published - 1; 0 when the published value is 0
  // False when the figure's FLOP count was never published (convention opt): shown, never
  // compared; `ours` and `deviation` are 0 and `note` says why.
  bool compared = true;
  std::string note;
};

struct DroppedFigure {
  const ReferenceFigure* figure = nullptr;
  std::string reason;  // "the scenario runs on 1024 GPUs, the figure on 2048"
};

struct PublishedComparison {
  std::vector<ShownFigure> shown;
  std::vector<DroppedFigure> dropped;
};

// The signed deviations of the compared figures (those with a non-zero published value): the
// median, the worst (largest in size, with its sign and figure) and on which side we err.
struct DeviationSummary {
  int count = 0;
  double median = 0.0;
  double worst = 0.0;
  const ReferenceFigure* worst_figure = nullptr;
  int below = 0;  // ours under the published value
  int above = 0;
};
DeviationSummary summarize_deviations(const PublishedComparison& c);

// Why `f` does not describe this scenario; nullopt when it does.
std::optional<std::string> figure_mismatch(const ReferenceFigure& f, const Scenario& s);

// Every figure of `s`, shown (our value beside it) or dropped (with the reason). The figures
// point into `s`, which must outlive the result.
PublishedComparison compare_published(const Scenario& s, const RunEstimate& run);
PublishedComparison compare_published(const Scenario& s, const ServingEstimate& e);

}  // namespace llmsim
