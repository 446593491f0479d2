#include "sim/pipeline_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/schedules/schedule.hpp"

namespace llmsim {

namespace {

nlohmann::json micro_stage_json(OpKind kind, const MicroStage& m, const OpTiming& t) {
  return {{"op", std::string(op_kind_name(kind))},
          {"mb", m.mb},
          {"dir", m.dir},
          {"stage", m.stage},
          {"start", t.start.us()},
          {"end", t.end.us()}};
}

}  // namespace

std::string op_label(const PipelineOp& op) {
  if (op.kind == OpKind::FB) return fmt::format("F {} | BW {}", op.first.mb, op.second.mb);
  return fmt::format("{} {}", op_kind_name(op.kind), op.first.mb);
}

nlohmann::json pipeline_to_json(const PipelinePlan& plan, const PipelineResult& result,
                                bool with_ops) {
  nlohmann::json ranks = nlohmann::json::array();
  for (int r = 0; r < plan.pp; ++r) {
    const RankSummary& s = result.ranks[r];
    nlohmann::json rank = {{"rank", r},
                           {"busy", s.busy.us()},
                           {"bubble", s.bubble.us()},
                           {"peak_activations", s.peak_activations},
                           {"peak_activation_memory", s.peak_activation_memory},
                           {"parameter_copies", s.parameter_copies}};
    if (with_ops) {
      nlohmann::json ops = nlohmann::json::array();
      const auto& list = plan.ops[r];
      for (std::size_t i = 0; i < list.size(); ++i) {
        const PipelineOp& op = list[i];
        const OpTiming& t = result.timing[r][i];
        nlohmann::json j = micro_stage_json(op.kind, op.first, t);
        if (op.kind == OpKind::FB) {
          // Both halves run over the whole overlapped span.
          j["f"] = micro_stage_json(OpKind::F, op.first, t);
          j["b"] = micro_stage_json(OpKind::BW, op.second, t);
        }
        ops.push_back(std::move(j));
      }
      rank["ops"] = std::move(ops);
    }
    ranks.push_back(std::move(rank));
  }
  return {{"method", std::string(schedule_method_name(plan.method))},
          {"pp", plan.pp},
          {"micro_batches", plan.micro_batches},
          {"vpp", plan.vpp},
          {"stages", plan.num_stages},
          {"time_unit", "us"},
          {"makespan", result.makespan.us()},
          {"max_bubble", result.max_bubble().us()},
          {"ranks", std::move(ranks)}};
}

void add_pipeline_to_trace(ChromeTrace& trace, int pid, const std::string& title,
                           const PipelinePlan& plan, const PipelineResult& result) {
  trace.name_process(pid, title);
  for (int r = 0; r < plan.pp; ++r) {
    trace.name_thread(pid, r, fmt::format("rank {}", r));
    const auto& list = plan.ops[r];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const PipelineOp& op = list[i];
      nlohmann::json args = {{"mb", op.first.mb}, {"stage", op.first.stage}, {"dir", op.first.dir}};
      if (op.kind == OpKind::FB) {
        args["b_mb"] = op.second.mb;
        args["b_stage"] = op.second.stage;
        args["b_dir"] = op.second.dir;
      }
      trace.add_span(pid, r, op_label(op), std::string(op_kind_name(op.kind)),
                     result.timing[r][i].start, result.timing[r][i].end, std::move(args));
    }
  }
}

double nice_tick_step(double span, double ticks) {
  const double raw = span / std::max(1.0, ticks);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10.0 * p;
}

std::vector<LegendItem> timeline_legend() {
  return {
      {"forward", op_shade(OpKind::F, 0)},
      {"backward (input)", op_shade(OpKind::B, 0)},
      {"weight gradient", op_shade(OpKind::W, 0)},
      {"full backward", op_shade(OpKind::BW, 0)},
      {"second direction (dark)", op_shade(OpKind::F, 1)},
      {"idle", OpShade{kIdleFill, "#222222"}},
  };
}

OpShade op_shade(OpKind k, int dir) {
  const bool d = dir != 0;
  switch (k) {
    case OpKind::F: return d ? OpShade{"#d9822b", "#ffffff"} : OpShade{"#f8cf9f", "#222222"};
    case OpKind::B: return d ? OpShade{"#3f7fbf", "#ffffff"} : OpShade{"#a9cbed", "#222222"};
    case OpKind::W: return d ? OpShade{"#4f9a3a", "#ffffff"} : OpShade{"#bfe3ac", "#222222"};
    case OpKind::BW: return d ? OpShade{"#7a55b5", "#ffffff"} : OpShade{"#cdb9ea", "#222222"};
    case OpKind::FB: break;
  }
  return OpShade{"#cccccc", "#222222"};
}

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

}  // namespace

std::string timeline_svg(const std::vector<TimelineCase>& cases) {
  constexpr double kLeft = 70.0;
  constexpr double kRight = 20.0;
  constexpr double kPlotWidth = 1200.0;
  constexpr double kRowHeight = 22.0;
  constexpr double kRowGap = 3.0;
  constexpr double kTitleHeight = 26.0;
  constexpr double kCaseGap = 14.0;
  constexpr double kAxisHeight = 34.0;
  constexpr double kLegendHeight = 30.0;

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
  for (const auto& c : cases) {
    const PipelinePlan& plan = *c.plan;
    const PipelineResult& res = *c.result;
    out += fmt::format(
        R"(<text x="{:.1f}" y="{:.1f}" font-size="14" font-weight="bold" fill="#222222">{}</text>)",
        kLeft, y + 17.0, c.title);
    out += fmt::format(
        R"(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="end" fill="#444444">makespan {} us, max bubble {} us</text>)",
        kLeft + kPlotWidth, y + 17.0, format_tick(res.makespan.us()),
        format_tick(res.max_bubble().us()));
    out += '\n';
    y += kTitleHeight;
    for (int r = 0; r < plan.pp; ++r) {
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
      y += kRowHeight + kRowGap;
    }
    y += kCaseGap;
  }

  // Time axis.
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

  // Legend.
  const std::vector<LegendItem> items = timeline_legend();
  double lx = kLeft;
  const double ly = axis_y + kAxisHeight + 4.0;
  for (const LegendItem& it : items) {
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
  out += "\n</svg>\n";
  return out;
}

}  // namespace llmsim
