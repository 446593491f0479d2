#include "report/timeline_svg.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "report/timeline_palette.hpp"

namespace llmsim {

namespace {

std::string format_tick(double v) {
  if (v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:g}", v);
}

void cell(std::string& out, double x, double y, double w, double h, OpShade s, int mb) {
  out += fmt::format(
      R"(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}" stroke="#555555" stroke-width="0.5"/>)",
      x, y, w, h, s.fill);
  out += '\n';
  if (w >= 11.0 && h >= 9.0) {
    const double size = std::min(11.0, h * 0.75);
    out += fmt::format(
        R"(<text x="{:.2f}" y="{:.2f}" font-size="{:.1f}" text-anchor="middle" dominant-baseline="central" fill="{}">{}</text>)",
        x + w / 2, y + h / 2, size, s.text, mb);
    out += '\n';
  }
}

// Page geometry in SVG user units (px).
constexpr double kLeft = 70.0;
constexpr double kRight = 20.0;
constexpr double kPlotWidth = 1200.0;
constexpr double kRowHeight = 22.0;
constexpr double kRowGap = 3.0;
constexpr double kTitleHeight = 26.0;
constexpr double kCaseGap = 14.0;
constexpr double kAxisHeight = 34.0;
constexpr double kLegendHeight = 30.0;

// One rank's row: its label, the idle background, one cell per operation.
void rank_row(std::string& out, const TimelineCase& c, int r, double y, double scale) {
  const PipelinePlan& plan = *c.plan;
  const PipelineResult& res = *c.result;
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.2f}" font-size="11" text-anchor="end" dominant-baseline="central" fill="#222222">rank {}</text>)",
      kLeft - 8.0, y + kRowHeight / 2, r);
  // Idle time shows as this background wherever no operation covers it.
  out += fmt::format(
      R"(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}" stroke="#d0d0d0" stroke-width="0.5"/>)",
      kLeft, y, res.makespan.us() * scale, kRowHeight, kIdleFill);
  out += '\n';
  const auto& list = plan.ops[r];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const PipelineOp& op = list[i];
    const OpTiming& t = res.timing[r][i];
    const double x = kLeft + t.start.us() * scale;
    const double w = (t.end - t.start).us() * scale;
    if (op.kind == OpKind::FB) {
      // An overlapped pair: forward on the top half, full backward on the bottom half.
      cell(out, x, y, w, kRowHeight / 2, op_shade(OpKind::F, op.first.dir), op.first.mb);
      cell(out, x, y + kRowHeight / 2, w, kRowHeight / 2, op_shade(OpKind::BW, op.second.dir),
           op.second.mb);
    } else {
      cell(out, x, y, w, kRowHeight, op_shade(op.kind, op.first.dir), op.first.mb);
    }
  }
}

// One case: its title line, then one row per rank. Returns the y below it.
double case_block(std::string& out, const TimelineCase& c, double y, double scale) {
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="14" font-weight="bold" fill="#222222">{}</text>)",
      kLeft, y + 17.0, c.title);
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="end" fill="#444444">makespan {} us, max bubble {} us</text>)",
      kLeft + kPlotWidth, y + 17.0, format_tick(c.result->makespan.us()),
      format_tick(c.result->max_bubble().us()));
  out += '\n';
  y += kTitleHeight;
  for (int r = 0; r < c.plan->pp; ++r) {
    rank_row(out, c, r, y, scale);
    y += kRowHeight + kRowGap;
  }
  return y + kCaseGap;
}

void time_axis(std::string& out, double axis_y, double longest, double scale) {
  out += fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#222222"/>)",
                     kLeft, axis_y, kLeft + kPlotWidth, axis_y);
  out += '\n';
  const double step = nice_tick_step(longest, 10);
  for (double v = 0.0; v <= longest * (1.0 + 1e-9); v += step) {
    const double x = kLeft + v * scale;
    out += fmt::format(R"(<line x1="{:.2f}" y1="{:.1f}" x2="{:.2f}" y2="{:.1f}" stroke="#222222"/>)",
                       x, axis_y, x, axis_y + 5.0);
    out += fmt::format(
        R"(<text x="{:.2f}" y="{:.1f}" font-size="11" text-anchor="middle" fill="#222222">{}</text>)",
        x, axis_y + 17.0, format_tick(v));
    out += '\n';
  }
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="end" fill="#222222">time (us)</text>)",
      kLeft + kPlotWidth, axis_y + 30.0);
  out += '\n';
}

void legend(std::string& out, double axis_y) {
  double lx = kLeft;
  const double ly = axis_y + kAxisHeight + 4.0;
  for (const LegendItem& it : timeline_legend()) {
    out += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="14" height="14" fill="{}" stroke="#555555" stroke-width="0.5"/>)",
        lx, ly, it.shade.fill);
    out += fmt::format(
        R"(<text x="{:.1f}" y="{:.1f}" font-size="12" dominant-baseline="central" fill="#222222">{}</text>)",
        lx + 19.0, ly + 7.0, it.label);
    out += '\n';
    lx += 40.0 + 7.0 * static_cast<double>(std::string_view(it.label).size());
  }
  out += fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" font-size="12" dominant-baseline="central" fill="#222222">split cell: overlapped forward (top) and backward (bottom)</text>)",
      lx, ly + 7.0);
}

}  // namespace

std::string timeline_svg(const std::vector<TimelineCase>& cases) {
  double longest = 0.0;
  for (const auto& c : cases) longest = std::max(longest, c.result->makespan.us());
  if (longest <= 0.0) longest = 1.0;
  const double scale = kPlotWidth / longest;

  double height = 8.0;
  for (const auto& c : cases) height += kTitleHeight + c.plan->pp * (kRowHeight + kRowGap) + kCaseGap;
  const double axis_y = height;
  height += kAxisHeight + kLegendHeight;
  const double width = kLeft + kPlotWidth + kRight;

  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" viewBox="0 0 {:.0f} {:.0f}" font-family="DejaVu Sans, Arial, sans-serif">)",
      width, height, width, height);
  out += "\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  double y = 8.0;
  for (const auto& c : cases) y = case_block(out, c, y, scale);
  time_axis(out, axis_y, longest, scale);
  legend(out, axis_y);
  out += "\n</svg>\n";
  return out;
}

}  // namespace llmsim
