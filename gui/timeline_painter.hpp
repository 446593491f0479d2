#pragma once
// Paints stacked pipeline timelines with QPainter: used by the on-screen widget, the PNG
// and SVG exports and the headless --render mode, so all of them show the same picture.

#include <optional>
#include <vector>

#include "gui/time_axis.hpp"
#include "gui/timeline_layout.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

class QPainter;
class QString;

namespace llmsim::gui {

// width_px: the whole drawing width (labels included). highlight: an op drawn with a frame.
void paint_timelines(QPainter& p, const std::vector<ExperimentCase>& cases,
                     const TimelineLayout& layout, const TimeAxis& axis, double width_px,
                     const std::optional<Hit>& highlight = std::nullopt);

// "17.94 s", "350 ms", "12.5 us": a duration in the unit that keeps it short.
QString format_duration_us(double us);

// Height of the legend strip paint_legend draws.
inline constexpr double kLegendHeightPx = 26.0;
void paint_legend(QPainter& p, double left_px, double top_px);

}  // namespace llmsim::gui
