#pragma once
// Reports of a simulated pipeline: the JSON document of `llmsim schedule --json`, Chrome trace
// spans, and an SVG timeline in the style of the DeepSeek-V3 report's DualPipe figure.
// Times are reported in microseconds.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/chrome_trace.hpp"
#include "sim/pipeline_executor.hpp"
#include "sim/pipeline_plan.hpp"

namespace llmsim {

// {"method","pp","micro_batches","vpp","time_unit","makespan","max_bubble","ranks":[...]}.
// with_ops = false leaves out the per-operation lists (the summary alone).
nlohmann::json pipeline_to_json(const PipelinePlan& plan, const PipelineResult& result,
                                bool with_ops = true);

// Adds one process `pid` named `title`, one thread per rank, one span per operation.
void add_pipeline_to_trace(ChromeTrace& trace, int pid, const std::string& title,
                           const PipelinePlan& plan, const PipelineResult& result);

struct TimelineCase {
  std::string title;
  const PipelinePlan* plan = nullptr;
  const PipelineResult* result = nullptr;
};

// One block of rows per case, stacked on a shared time axis; one row per rank, cells
// numbered by micro-batch, one colour per operation kind, DualPipe's second direction in
// darker shades, idle time left as the light background.
std::string timeline_svg(const std::vector<TimelineCase>& cases);

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

// A short human name for an operation, e.g. "F 3", "B 12", "F 3 | BW 1".
std::string op_label(const PipelineOp& op);

}  // namespace llmsim
