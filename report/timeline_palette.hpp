#pragma once
// The timeline palette and axis ticks shared by the SVG writer and the GUI.

#include <vector>

#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

// The timeline palette, shared by the SVG writer and the GUI: a fill and a text colour
// ("#rrggbb") per operation kind, light for direction 0, dark for direction 1 (DualPipe's
// second direction). FB has no colour of its own: it is drawn as its F and BW halves.
struct OpShade {
  const char* fill;
  const char* text;
};
OpShade op_shade(OpKind kind, int dir);
inline constexpr const char* kIdleFill = "#f1f1f1";

// The legend every timeline shows, in order.
struct LegendItem {
  const char* label;
  OpShade shade;
};
std::vector<LegendItem> timeline_legend();

// A "nice" axis tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks.
double nice_tick_step(double span, double ticks);

}  // namespace llmsim
