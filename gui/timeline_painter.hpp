#pragma once
// Paints stacked pipeline timelines with QPainter: used by the on-screen widget, the PNG
// and SVG exports and the headless --render mode, so all of them show the same picture.
// Only the visible window is painted: each row's spans come from visible_spans, which
// merges sub-pixel operations, so a 10,000 micro-batch x 64 rank case paints in time
// bounded by the pixels, not the operations.

#include <optional>
#include <vector>

#include "gui/time_axis.hpp"
#include "gui/timeline_layout.hpp"
#include "gui/timeline_query.hpp"
#include "sim/pipeline/op_dependencies.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

class QPainter;
class QString;

namespace llmsim::gui {

// What is drawn over the operations.
struct TimelineMarks {
  std::optional<Hit> hover;          // framed
  int arrows_case = -1;              // the case `arrows` belong to
  std::vector<Dependency> arrows;    // drawn from the end of `from` to the start of `to`
  std::vector<OpFlags> critical;     // per case, framed; empty: off
  std::vector<OpFlags> matches;      // per case; others dimmed; empty: no search
  std::optional<Measure> measure;    // a shaded range with its duration
};

// width_px: the whole drawing width (labels included).
void paint_timelines(QPainter& p, const std::vector<ExperimentCase>& cases,
                     const TimelineLayout& layout, const TimeAxis& axis, double width_px,
                     const TimelineMarks& marks = {});

// "17.94 s", "350 ms", "12.5 us": a duration in the unit that keeps it short.
QString format_duration_us(double us);

// The legend, wrapped to lines within width_px; legend_height_px is the height it takes.
double legend_height_px(double width_px);
void paint_legend(QPainter& p, double left_px, double top_px, double width_px);

}  // namespace llmsim::gui
