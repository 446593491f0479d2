#include "gui/timeline_query.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "sim/pipeline/pipeline_report.hpp"

namespace llmsim::gui {

void visible_spans(const std::vector<OpTiming>& timing, const TimeAxis& axis, double left_px,
                   double right_px, double min_px, std::vector<DrawSpan>& out) {
  const double t_left = axis.to_us(left_px);
  const double t_right = axis.to_us(right_px);
  // The first op ending at or after the window's left edge (ends are sorted too).
  auto it = std::lower_bound(timing.begin(), timing.end(), t_left,
                             [](const OpTiming& o, double t) { return o.end.us() < t; });
  while (it != timing.end() && it->start.us() <= t_right) {
    const std::size_t i = static_cast<std::size_t>(it - timing.begin());
    const double x0 = axis.to_px(it->start.us());
    const double x1 = axis.to_px(it->end.us());
    if (x1 - x0 >= min_px) {
      out.push_back({i, i, x0, x1});
      ++it;
      continue;
    }
    // Every op starting before x0 + min_px joins this span.
    const double t_limit = axis.to_us(x0 + min_px);
    auto next = std::lower_bound(it + 1, timing.end(), t_limit,
                                 [](const OpTiming& o, double t) { return o.start.us() < t; });
    const std::size_t last = static_cast<std::size_t>(next - timing.begin()) - 1;
    out.push_back({i, last, x0, std::max(axis.to_px(timing[last].end.us()), x0 + min_px)});
    it = next;
  }
}

OpFlags critical_flags(const ExperimentCase& c) {
  OpFlags flags(c.plan.ops.size());
  for (std::size_t r = 0; r < flags.size(); ++r) flags[r].assign(c.plan.ops[r].size(), 0);
  const OpDependencies deps(c.plan);
  for (const OpRef& op : critical_path(c.plan, c.result, deps)) flags[op.rank][op.index] = 1;
  return flags;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool is_digit(char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }

// Whether `q` occurs in `text` without cutting a number: "f 3" finds "F 3" and "F 3 | BW 1",
// not "F 30" or "F 13".
bool contains_term(const std::string& text, const std::string& q) {
  for (auto at = text.find(q); at != std::string::npos; at = text.find(q, at + 1)) {
    const std::size_t end = at + q.size();
    const bool cuts_before = at > 0 && is_digit(q.front()) && is_digit(text[at - 1]);
    const bool cuts_after = end < text.size() && is_digit(q.back()) && is_digit(text[end]);
    if (!cuts_before && !cuts_after) return true;
  }
  return false;
}

}  // namespace

OpFlags search_flags(const PipelinePlan& plan, std::string_view query, std::size_t* matches) {
  if (matches) *matches = 0;
  std::string q = lower(query);
  q.erase(0, q.find_first_not_of(' '));
  q.erase(q.find_last_not_of(' ') + 1);
  if (q.empty()) return {};
  OpFlags flags(plan.ops.size());
  for (std::size_t r = 0; r < plan.ops.size(); ++r) {
    flags[r].assign(plan.ops[r].size(), 0);
    for (std::size_t i = 0; i < plan.ops[r].size(); ++i) {
      const PipelineOp& op = plan.ops[r][i];
      const bool hit = contains_term(lower(op_label(op)), q) || lower(op_kind_name(op.kind)) == q;
      flags[r][i] = hit ? 1 : 0;
      if (hit && matches) ++*matches;
    }
  }
  return flags;
}

bool any_flag(const OpFlags& flags, int rank, std::size_t first, std::size_t last) {
  if (rank < 0 || rank >= static_cast<int>(flags.size())) return false;
  const auto& row = flags[rank];
  for (std::size_t i = first; i <= last && i < row.size(); ++i) {
    if (row[i]) return true;
  }
  return false;
}

Measure measure_between(const TimeAxis& axis, double x0_px, double x1_px) {
  const double a = axis.to_us(x0_px);
  const double b = axis.to_us(x1_px);
  return Measure{std::min(a, b), std::max(a, b)};
}

std::string format_us(double us) {
  const double a = std::abs(us);
  if (a >= 1e6) return fmt::format("{:.4g} s", us / 1e6);
  if (a >= 1e3) return fmt::format("{:.4g} ms", us / 1e3);
  return fmt::format("{:.6g} us", us);
}

std::optional<OpBreakdown> op_breakdown(const ExperimentCase& c, int rank, std::size_t index) {
  if (rank < 0 || rank >= static_cast<int>(c.streams.size())) return std::nullopt;
  const OpTiming& t = c.result.timing[rank][index];
  const auto& pieces = c.streams[rank];
  auto it = std::lower_bound(pieces.begin(), pieces.end(), t.start,
                             [](const StreamPiece& s, SimTime v) { return s.start < v; });
  OpBreakdown b;
  for (; it != pieces.end() && it->start < t.end; ++it) {
    const double d = (it->end - it->start).us();
    if (it->comm) {
      b.comm_us += d;
      ++b.comm_pieces;
    } else {
      b.compute_us += d;
      ++b.compute_pieces;
    }
  }
  if (b.comm_pieces + b.compute_pieces == 0) return std::nullopt;
  return b;
}

namespace {

std::string part_text(std::string_view kind, const MicroStage& m) {
  return fmt::format("{} micro-batch {}, stage {}, direction {}", kind, m.mb, m.stage, m.dir);
}

}  // namespace

std::string describe_op(const ExperimentCase& c, int rank, std::size_t index) {
  const PipelineOp& op = c.plan.ops[rank][index];
  const OpTiming& t = c.result.timing[rank][index];
  std::string text = fmt::format("{}, rank {}\n", c.title, rank);
  if (op.kind == OpKind::FB) {
    text += part_text("F", op.first) + "\n" + part_text("BW", op.second) + " (overlapped)";
  } else {
    text += part_text(op_kind_name(op.kind), op.first);
  }
  text += fmt::format("\nstart {:.9g} us, duration {}, end {:.9g} us", t.start.us(),
                      format_us((t.end - t.start).us()), t.end.us());
  if (const auto b = op_breakdown(c, rank, index)) {
    text += fmt::format("\ncompute {} in {} kernel span{}; communication {} in {} span{}",
                        format_us(b->compute_us), b->compute_pieces,
                        b->compute_pieces == 1 ? "" : "s", format_us(b->comm_us), b->comm_pieces,
                        b->comm_pieces == 1 ? "" : "s");
  }
  return text;
}

std::vector<LegendPlace> wrap_legend(const std::vector<double>& widths_px, double width_px,
                                     double gap_px) {
  std::vector<LegendPlace> out;
  double x = 0.0;
  int line = 0;
  for (double w : widths_px) {
    if (x > 0.0 && x + w > width_px) {
      x = 0.0;
      ++line;
    }
    out.push_back({x, line});
    x += w + gap_px;
  }
  return out;
}

}  // namespace llmsim::gui
