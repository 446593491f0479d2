#include "gui/timeline_painter.hpp"

#include <algorithm>
#include <cmath>

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QRectF>
#include <QString>

#include "costmodel/estimate/compare/comparison.hpp"
#include "report/timeline_palette.hpp"
#include "sim/pipeline/pipeline_report.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::gui {

namespace {

// Training steps show each rank's compute stream and, below it, its communication stream.
constexpr const char* kCommFill = "#6b7b8c";
constexpr const char* kCriticalPen = "#e6007e";
constexpr const char* kHoverPen = "#d62728";
constexpr const char* kDenseFill = "#8d99a6";  // several ops per pixel

// A fill, washed out toward white (ops that do not match a search).
QColor washed(const QColor& c) {
  return QColor((c.red() + 3 * 255) / 4, (c.green() + 3 * 255) / 4, (c.blue() + 3 * 255) / 4);
}

// The palette's colours parsed once per paint: [kind][dir][dimmed].
struct Colours {
  QColor fill[kNumOpKinds][2][2];
  QColor text[kNumOpKinds][2];
  QColor dense{kDenseFill};
  QColor dense_dim{washed(QColor(kDenseFill))};
  QPen outline{QColor("#555555"), 0.5};
  QPen critical_pen{QColor(kCriticalPen), 2.0};
  QPen match_pen{QColor("#111111"), 1.5};
};

struct Ctx {
  QPainter& p;
  const Colours& colours;
  const std::vector<ExperimentCase>& cases;
  const TimelineLayout& layout;
  const TimeAxis& axis;
  const TimelineMarks& marks;
  double plot_left;
  double plot_right;
  QFont base;
};

Colours make_colours() {
  Colours c;
  for (int k = 0; k < kNumOpKinds; ++k) {
    for (int d = 0; d < 2; ++d) {
      const OpShade s = op_shade(static_cast<OpKind>(k), d);
      c.fill[k][d][0] = QColor(s.fill);
      c.fill[k][d][1] = washed(c.fill[k][d][0]);
      c.text[k][d] = QColor(s.text);
    }
  }
  return c;
}

void cell(const Ctx& c, const QRectF& r, OpKind kind, int dir, int mb, bool dim) {
  const int k = static_cast<int>(kind);
  const int d = dir > 0 ? 1 : 0;
  if (r.width() >= 3.0 && r.height() >= 5.0) c.p.setPen(c.colours.outline);
  else c.p.setPen(Qt::NoPen);
  c.p.setBrush(c.colours.fill[k][d][dim ? 1 : 0]);
  c.p.drawRect(r);
  if (mb >= 0 && r.width() >= 11.0 && r.height() >= 9.0) {
    QFont f = c.base;
    f.setPixelSize(static_cast<int>(std::min(11.0, r.height() * 0.75)));
    c.p.setFont(f);
    const QString text = QString::number(mb);
    if (QFontMetricsF(f).horizontalAdvance(text) + 2.0 <= r.width()) {
      c.p.setPen(dim ? QColor("#aaaaaa") : c.colours.text[k][d]);
      c.p.drawText(r, Qt::AlignCenter, text);
    }
  }
}

// Each case's title on the left of its title band, its makespan and bubble on the right.
void paint_case_titles(const Ctx& c) {
  const LayoutMetrics& m = c.layout.metrics();
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    const ExperimentCase& ec = c.cases[i];
    QFont title = c.base;
    title.setPixelSize(13);
    title.setBold(true);
    c.p.setFont(title);
    c.p.setPen(QColor("#222222"));
    const double ty = c.layout.case_top_px(static_cast<int>(i));
    const QRectF band(c.plot_left, ty, c.plot_right - c.plot_left, m.title_px);
    c.p.fillRect(band, Qt::white);  // grid lines stop at the title
    c.p.drawText(band, Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(ec.title));
    QFont info = c.base;
    info.setPixelSize(12);
    c.p.setFont(info);
    c.p.setPen(QColor("#444444"));
    // The bubble as the comparison table defines it (costmodel/estimate/compare).
    const PipelineBubble bubble = pipeline_bubble(ec.result);
    c.p.drawText(band, Qt::AlignRight | Qt::AlignVCenter,
                 QString("makespan %1   bubble: rank 0 %2, worst (rank %3) %4")
                     .arg(format_duration_us(ec.summary.makespan_us))
                     .arg(format_duration_us(1e6 * bubble.rank0_s))
                     .arg(bubble.worst_rank)
                     .arg(format_duration_us(1e6 * bubble.worst_s)));
  }
}

// A run of merged spans side by side (several ops per pixel), drawn as one block.
struct DenseRun {
  double x0_px = 0.0;
  double x1_px = -1.0;  // empty while x1 < x0
  bool bright = false;  // some op in it matches the search
  bool critical = false;
  bool empty() const { return x1_px < x0_px; }
};

void frame_critical(const Ctx& c, const QRectF& r) {
  c.p.setPen(c.colours.critical_pen);
  c.p.setBrush(Qt::NoBrush);
  c.p.drawRect(r);
}

void flush(const Ctx& c, DenseRun& run, double y, double h, bool searching) {
  if (run.empty()) return;
  const QRectF r(run.x0_px, y, run.x1_px - run.x0_px, h);
  c.p.setPen(Qt::NoPen);
  c.p.setBrush(searching && !run.bright ? c.colours.dense_dim : c.colours.dense);
  c.p.drawRect(r);
  if (run.critical) frame_critical(c, r);
  run = DenseRun{};
}

// One rank's operations on a row band [y, y + h): ops at least a pixel wide as cells,
// runs of merged sub-pixel spans as dense blocks.
// A summary row gets no critical-path frames: overlaid, they would cover the whole step.
void paint_rank_ops(const Ctx& c, int case_index, int rank, double y, double h, bool summary,
                    std::vector<DrawSpan>& spans) {
  const ExperimentCase& ec = c.cases[case_index];
  const auto& ops = ec.plan.ops[rank];
  const OpFlags* matches = c.marks.matches.empty() ? nullptr : &c.marks.matches[case_index];
  const OpFlags* critical =
      c.marks.critical.empty() || summary ? nullptr : &c.marks.critical[case_index];
  spans.clear();
  visible_spans(ec.result.timing[rank], c.axis, c.plot_left, c.plot_right, 1.0, spans);
  DenseRun run;
  for (const DrawSpan& s : spans) {
    const bool bright = matches && any_flag(*matches, rank, s.first, s.last);
    const bool crit = critical && any_flag(*critical, rank, s.first, s.last);
    if (s.merged()) {
      if (!run.empty() && s.x0_px > run.x1_px + 0.5) flush(c, run, y, h, matches != nullptr);
      if (run.empty()) run.x0_px = s.x0_px;
      run.x1_px = s.x1_px;
      run.bright = run.bright || bright;
      run.critical = run.critical || crit;
      continue;
    }
    flush(c, run, y, h, matches != nullptr);
    const PipelineOp& op = ops[s.first];
    const bool dim = matches && !bright;
    const double w = s.x1_px - s.x0_px;
    if (op.kind == OpKind::FB) {
      cell(c, QRectF(s.x0_px, y, w, h / 2), OpKind::F, op.first.dir, op.first.mb, dim);
      cell(c, QRectF(s.x0_px, y + h / 2, w, h / 2), OpKind::BW, op.second.dir, op.second.mb, dim);
    } else {
      cell(c, QRectF(s.x0_px, y, w, h), op.kind, op.first.dir, op.first.mb, dim);
    }
    if (crit) frame_critical(c, QRectF(s.x0_px, y, w, h));
    if (matches && bright) {
      // A match stands out from the dimmed rest by its frame.
      c.p.setPen(c.colours.match_pen);
      c.p.setBrush(Qt::NoBrush);
      c.p.drawRect(QRectF(s.x0_px, y, w, h));
    }
  }
  flush(c, run, y, h, matches != nullptr);
}

// The row's stream pieces in view, on the two lower quarters; sub-pixel pieces that start
// where the last drawn one ends are skipped.
void paint_row_streams(const Ctx& c, const std::vector<StreamPiece>& pieces, double y,
                       double row_px) {
  const double lane = row_px / 4;
  const double t_left = c.axis.to_us(c.plot_left);
  const double t_right = c.axis.to_us(c.plot_right);
  auto it = std::lower_bound(pieces.begin(), pieces.end(), t_left,
                             [](const StreamPiece& s, double t) { return s.end.us() < t; });
  c.p.setPen(Qt::NoPen);
  double drawn_to[2] = {-1e300, -1e300};
  for (; it != pieces.end() && it->start.us() <= t_right; ++it) {
    const double x = c.axis.to_px(it->start.us());
    const double w = std::max(c.axis.to_px(it->end.us()) - x, 1.0);
    if (x + w <= drawn_to[it->comm]) continue;
    drawn_to[it->comm] = x + w;
    c.p.setBrush(it->comm ? QColor(kCommFill)
                          : c.colours.fill[static_cast<int>(it->kind)][it->part.dir > 0][0]);
    c.p.drawRect(QRectF(x, y + row_px / 2 + (it->comm ? lane : 0.0), w, lane));
  }
}

QString row_label(const ExperimentCase& ec, const RowPlace& row) {
  if (row.summary) return QString("%1 ranks").arg(ec.plan.pp);
  return QString("rank %1").arg(row.rank);
}

// One row: its label, the idle background up to the makespan, its operations and (where
// the case has them) its stream pieces, clipped to the plot area.
void paint_row(const Ctx& c, const RowPlace& row, std::vector<DrawSpan>& spans) {
  const ExperimentCase& ec = c.cases[row.case_index];
  const LayoutMetrics& m = c.layout.metrics();
  // Labels every row when they fit, else every k-th.
  const int every = static_cast<int>(std::ceil(10.0 / (m.row_px + m.row_gap_px)));
  if (row.summary || row.rank % every == 0) {
    QFont label = c.base;
    label.setPixelSize(static_cast<int>(std::clamp(m.row_px, 8.0, 11.0)));
    c.p.setFont(label);
    c.p.setPen(QColor("#222222"));
    c.p.drawText(QRectF(0, row.top_px + m.row_px / 2 - 8, c.plot_left - 8.0, 16),
                 Qt::AlignRight | Qt::AlignVCenter, row_label(ec, row));
  }
  c.p.save();
  c.p.setClipRect(QRectF(c.plot_left, row.top_px - 1, c.plot_right - c.plot_left, m.row_px + 2));
  const double x0 = c.axis.to_px(0.0);
  const double x1 = c.axis.to_px(ec.result.makespan.us());
  c.p.setPen(Qt::NoPen);
  c.p.setBrush(QColor(kIdleFill));
  c.p.drawRect(QRectF(x0, row.top_px, x1 - x0, m.row_px));
  // With streams (and room for them): operations on the upper half, their compute and
  // communication pieces on the two lower quarters.
  const bool streams = !row.summary && row.rank < static_cast<int>(ec.streams.size()) &&
                       m.row_px >= 10.0;
  const double op_h = streams ? m.row_px * 0.5 : m.row_px;
  const int last = row.summary ? ec.plan.pp - 1 : row.rank;
  for (int r = row.rank; r <= last; ++r) {
    paint_rank_ops(c, row.case_index, r, row.top_px, op_h, row.summary, spans);
  }
  if (streams) paint_row_streams(c, ec.streams[static_cast<std::size_t>(row.rank)], row.top_px,
                                 m.row_px);
  c.p.restore();
}

// The time axis over the visible window, pinned at the top, with faint grid lines down
// through every case.
void paint_time_axis(const Ctx& c) {
  const double ay = c.layout.axis_top_px() + c.layout.metrics().axis_px - 4;
  const double t_left = c.axis.to_us(c.plot_left);
  const double t_right = c.axis.to_us(c.plot_right);
  const double step = nice_tick_step(t_right - t_left, (c.plot_right - c.plot_left) / 110.0);
  const double span = t_right - t_left;
  const double unit = span >= 2e6 ? 1e6 : span >= 2e3 ? 1e3 : 1.0;
  const char* unit_name = unit == 1e6 ? "time (s)" : unit == 1e3 ? "time (ms)" : "time (us)";
  QFont tick = c.base;
  tick.setPixelSize(11);
  c.p.setFont(tick);
  for (double v = std::ceil(t_left / step) * step; v <= t_right + step * 1e-9; v += step) {
    const double x = c.axis.to_px(v);
    c.p.setPen(QColor("#e4e4e4"));
    c.p.drawLine(QPointF(x, ay), QPointF(x, c.layout.height_px()));
    c.p.setPen(QColor("#222222"));
    c.p.drawLine(QPointF(x, ay - 4), QPointF(x, ay));
    c.p.drawText(QRectF(x - 50, ay - 19, 100, 14), Qt::AlignHCenter | Qt::AlignBottom,
                 QString::number(std::abs(v) < step * 1e-9 ? 0.0 : v / unit, 'g', 6));
  }
  c.p.drawLine(QPointF(c.plot_left, ay), QPointF(c.plot_right, ay));
  c.p.drawText(QRectF(0, ay - 19, c.plot_left - 8.0, 14), Qt::AlignRight | Qt::AlignBottom,
               QString(unit_name));
}

}  // namespace

QString format_duration_us(double us) { return QString::fromStdString(format_us(us)); }

namespace {

// The middle of op `index` of `rank` in case `case_index`, at its start or end.
std::optional<QPointF> op_anchor(const Ctx& c, int case_index, OpRef op, bool at_end) {
  const auto row = c.layout.row_of(case_index, op.rank);
  if (!row) return std::nullopt;
  const OpTiming& t = c.cases[case_index].result.timing[op.rank][op.index];
  const double x = c.axis.to_px(at_end ? t.end.us() : t.start.us());
  return QPointF(x, row->top_px + c.layout.metrics().row_px / 2);
}

void paint_arrows(const Ctx& c) {
  c.p.setRenderHint(QPainter::Antialiasing, true);
  for (const Dependency& d : c.marks.arrows) {
    const auto a = op_anchor(c, c.marks.arrows_case, d.from, true);
    const auto b = op_anchor(c, c.marks.arrows_case, d.to, false);
    if (!a || !b) continue;
    QPainterPath path(*a);
    const double dx = std::max(std::abs(b->x() - a->x()) / 2, 12.0);
    path.cubicTo(a->x() + dx, a->y(), b->x() - dx, b->y(), b->x(), b->y());
    c.p.setPen(QPen(QColor("#1a1a1a"), 1.5));
    c.p.setBrush(Qt::NoBrush);
    c.p.drawPath(path);
    QPolygonF head;
    head << *b << QPointF(b->x() - 7, b->y() - 4) << QPointF(b->x() - 7, b->y() + 4);
    c.p.setBrush(QColor("#1a1a1a"));
    c.p.drawPolygon(head);
  }
  c.p.setRenderHint(QPainter::Antialiasing, false);
}

void paint_hover_and_measure(const Ctx& c) {
  const LayoutMetrics& m = c.layout.metrics();
  if (c.marks.hover) {
    const Hit& h = *c.marks.hover;
    const auto row = c.layout.row_of(h.case_index, h.rank);
    if (row) {
      const OpTiming& t = c.cases[h.case_index].result.timing[h.rank][h.op_index];
      const double x0 = c.axis.to_px(t.start.us());
      const double w = std::max(c.axis.to_px(t.end.us()) - x0, 1.0);
      c.p.setPen(QPen(QColor(kHoverPen), 2.0));
      c.p.setBrush(Qt::NoBrush);
      c.p.drawRect(QRectF(x0, row->top_px, w, m.row_px));
    }
  }
  if (c.marks.measure) {
    const double x0 = std::max(c.axis.to_px(c.marks.measure->t0_us), c.plot_left);
    const double x1 = std::min(c.axis.to_px(c.marks.measure->t1_us), c.plot_right);
    const double top = c.layout.axis_top_px() + m.axis_px;
    c.p.setPen(QPen(QColor("#1f5fbf"), 1.0));
    c.p.setBrush(QColor(31, 95, 191, 40));
    c.p.drawRect(QRectF(x0, top, std::max(x1 - x0, 1.0), c.layout.height_px() - top));
    QFont f = c.base;
    f.setPixelSize(12);
    f.setBold(true);
    c.p.setFont(f);
    const QString text = format_duration_us(c.marks.measure->duration_us());
    const double tw = QFontMetricsF(f).horizontalAdvance(text) + 10;
    const QRectF box((x0 + x1 - tw) / 2, top + 1, tw, 16);
    c.p.setBrush(QColor("#1f5fbf"));
    c.p.drawRect(box);
    c.p.setPen(Qt::white);
    c.p.drawText(box, Qt::AlignCenter, text);
  }
}

}  // namespace

void paint_timelines(QPainter& p, const std::vector<ExperimentCase>& cases,
                     const TimelineLayout& layout, const TimeAxis& axis, double width_px,
                     const TimelineMarks& marks) {
  QFont base = p.font();
  base.setFamily("DejaVu Sans");
  const Colours colours = make_colours();
  const Ctx c{p, colours, cases, layout, axis, marks, axis.left_px(), width_px - 8.0, base};
  p.setRenderHint(QPainter::Antialiasing, false);
  p.fillRect(QRectF(0, 0, width_px, layout.height_px()), Qt::white);
  paint_time_axis(c);
  paint_case_titles(c);
  std::vector<DrawSpan> spans;
  for (const RowPlace& row : layout.rows()) paint_row(c, row, spans);
  p.save();
  p.setClipRect(QRectF(c.plot_left, layout.axis_top_px(), c.plot_right - c.plot_left,
                       layout.height_px()));
  paint_arrows(c);
  paint_hover_and_measure(c);
  p.restore();
}

namespace {

std::vector<LegendItem> legend_items() {
  std::vector<LegendItem> items = timeline_legend();
  items.push_back({"split cell: overlapped F (top) and BW (bottom)", OpShade{"#ffffff", "#222222"}});
  items.push_back({"communication stream", OpShade{kCommFill, "#222222"}});
  items.push_back({"several ops per pixel (zoom in)", OpShade{kDenseFill, "#222222"}});
  items.push_back({"critical path", OpShade{"#ffffff", kCriticalPen}});
  return items;
}

QFont legend_font() {
  QFont f;
  f.setFamily("DejaVu Sans");
  f.setPixelSize(12);
  return f;
}

constexpr double kLegendLinePx = 20.0;
constexpr double kLegendGapPx = 16.0;

std::vector<LegendPlace> legend_places(const std::vector<LegendItem>& items, double width_px) {
  const QFontMetricsF fm(legend_font());
  std::vector<double> widths;
  for (const LegendItem& it : items) {
    widths.push_back(19 + fm.horizontalAdvance(QString::fromUtf8(it.label)));
  }
  return wrap_legend(widths, width_px, kLegendGapPx);
}

}  // namespace

double legend_height_px(double width_px) {
  const auto places = legend_places(legend_items(), width_px);
  return 8.0 + kLegendLinePx * (places.empty() ? 1 : places.back().line + 1);
}

void paint_legend(QPainter& p, double left_px, double top_px, double width_px) {
  const std::vector<LegendItem> items = legend_items();
  const auto places = legend_places(items, width_px);
  p.setFont(legend_font());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double x = left_px + places[i].x_px;
    const double y = top_px + 4 + kLegendLinePx * places[i].line;
    const bool critical = items[i].shade.text == kCriticalPen;
    p.setPen(critical ? QPen(QColor(kCriticalPen), 2.0) : QPen(QColor("#555555"), 0.5));
    p.setBrush(QColor(items[i].shade.fill));
    p.drawRect(QRectF(x, y + 2, 14, 14));
    p.setPen(QColor("#222222"));
    p.drawText(QPointF(x + 19, y + 14), QString::fromUtf8(items[i].label));
  }
}

}  // namespace llmsim::gui
