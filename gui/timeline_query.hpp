#pragma once
// What a timeline view asks of its cases, without Qt: the spans to paint in a window
// (sub-pixel operations merged), the critical path, a search over operation names, a
// measured range, an operation's description and breakdown, and where legend entries wrap.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gui/time_axis.hpp"
#include "sim/pipeline/op_dependencies.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

// Ops first..last (inclusive) of one rank, drawn as one rectangle [x0_px, x1_px).
struct DrawSpan {
  std::size_t first = 0;
  std::size_t last = 0;
  double x0_px = 0.0;
  double x1_px = 0.0;
  bool merged() const { return last > first; }
};

// The spans of `timing` (one rank, sorted by start) that meet [left_px, right_px], appended
// to `out`. An op narrower than min_px starts a merged span that takes every op starting
// within min_px of it, so a row never has more spans than pixels: the cost is
// O(spans * log ops), not O(ops).
void visible_spans(const std::vector<OpTiming>& timing, const TimeAxis& axis, double left_px,
                   double right_px, double min_px, std::vector<DrawSpan>& out);

// Per-op flags of one case, [rank][op]; empty: none set.
using OpFlags = std::vector<std::vector<std::uint8_t>>;

// The case's critical path (OpDependencies' critical_path) as flags.
OpFlags critical_flags(const ExperimentCase& c);

// Ops whose label (op_label: "F 3", "B 12", "F 3 | BW 1") contains `query` without cutting
// a number ("F 3" finds F 3, not F 30), or whose kind name is `query`, ignoring case; empty
// flags for an empty query. `matches` counts them.
OpFlags search_flags(const PipelinePlan& plan, std::string_view query, std::size_t* matches);

// Whether any op in [first, last] of a rank is flagged.
bool any_flag(const OpFlags& flags, int rank, std::size_t first, std::size_t last);

// A range measured by dragging between two points, in either order.
struct Measure {
  double t0_us = 0.0;
  double t1_us = 0.0;
  double duration_us() const { return t1_us - t0_us; }
};
Measure measure_between(const TimeAxis& axis, double x0_px, double x1_px);

// "17.94 s", "350 ms", "12.5 us": a duration in the unit that keeps it short.
std::string format_us(double us);

// Where an op's time went, from the case's stream pieces inside it (training steps).
struct OpBreakdown {
  double compute_us = 0.0;
  double comm_us = 0.0;
  int compute_pieces = 0;
  int comm_pieces = 0;
};
std::optional<OpBreakdown> op_breakdown(const ExperimentCase& c, int rank, std::size_t index);

// The tooltip of plan.ops[rank][index]: case, rank, op, micro-batch, stage, direction,
// start, duration, end, and the breakdown where the case has one. Lines joined by '\n'.
std::string describe_op(const ExperimentCase& c, int rank, std::size_t index);

// Legend layout: for entries `widths_px` wide, separated by gap_px, each entry's x and line
// when lines wrap at width_px (an entry wider than a line gets a line of its own).
struct LegendPlace {
  double x_px = 0.0;
  int line = 0;
};
std::vector<LegendPlace> wrap_legend(const std::vector<double>& widths_px, double width_px,
                                     double gap_px);

}  // namespace llmsim::gui
