#include "gui/timeline_painter.hpp"

#include <algorithm>
#include <cmath>

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
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

void cell(QPainter& p, const QRectF& r, OpShade s, int mb, const QFont& font) {
  p.setPen(QPen(QColor("#555555"), 0.5));
  p.setBrush(QColor(s.fill));
  p.drawRect(r);
  if (r.width() >= 11.0 && r.height() >= 9.0) {
    QFont f = font;
    f.setPixelSize(static_cast<int>(std::min(11.0, r.height() * 0.75)));
    p.setFont(f);
    const QString text = QString::number(mb);
    if (QFontMetricsF(f).horizontalAdvance(text) + 2.0 <= r.width()) {
      p.setPen(QColor(s.text));
      p.drawText(r, Qt::AlignCenter, text);
    }
  }
}

// Each case's title on the left of its title band, its makespan and bubble on the right.
void paint_case_titles(QPainter& p, const std::vector<ExperimentCase>& cases,
                       const TimelineLayout& layout, double plot_left, double plot_right,
                       const QFont& base) {
  const LayoutMetrics& m = layout.metrics();
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const ExperimentCase& ec = cases[c];
    QFont title = base;
    title.setPixelSize(13);
    title.setBold(true);
    p.setFont(title);
    p.setPen(QColor("#222222"));
    const double ty = layout.case_top_px(static_cast<int>(c));
    p.drawText(QRectF(plot_left, ty, plot_right - plot_left, m.title_px),
               Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(ec.title));
    QFont info = base;
    info.setPixelSize(12);
    p.setFont(info);
    p.setPen(QColor("#444444"));
    // The bubble as the comparison table defines it (costmodel/estimate/compare).
    const PipelineBubble bubble = pipeline_bubble(ec.result);
    p.drawText(QRectF(plot_left, ty, plot_right - plot_left, m.title_px),
               Qt::AlignRight | Qt::AlignVCenter,
               QString("makespan %1   bubble: rank 0 %2, worst (rank %3) %4")
                   .arg(format_duration_us(ec.summary.makespan_us))
                   .arg(format_duration_us(1e6 * bubble.rank0_s))
                   .arg(bubble.worst_rank)
                   .arg(format_duration_us(1e6 * bubble.worst_s)));
  }
}

// The row's operations that start in [t_left, t_right], op_h tall; returns the first op in
// view (the end of the row's timing when none).
std::vector<OpTiming>::const_iterator paint_row_ops(QPainter& p, const ExperimentCase& ec,
                                                    const RowPlace& row, const LayoutMetrics& m,
                                                    const TimeAxis& axis, double t_left,
                                                    double t_right, double op_h, const QFont& base,
                                                    const std::optional<Hit>& highlight) {
  const auto& ops = ec.plan.ops[row.rank];
  const auto& timing = ec.result.timing[row.rank];
  // Only the ops in the visible window: ops on a rank are sorted by start.
  auto first = std::lower_bound(timing.begin(), timing.end(), t_left,
                                [](const OpTiming& o, double t) { return o.end.us() < t; });
  for (auto it = first; it != timing.end() && it->start.us() <= t_right; ++it) {
    const std::size_t i = static_cast<std::size_t>(it - timing.begin());
    const PipelineOp& op = ops[i];
    const double x = axis.to_px(it->start.us());
    const double w = std::max(axis.to_px(it->end.us()) - x, 0.5);
    if (op.kind == OpKind::FB) {
      cell(p, QRectF(x, row.top_px, w, op_h / 2), op_shade(OpKind::F, op.first.dir), op.first.mb,
           base);
      cell(p, QRectF(x, row.top_px + op_h / 2, w, op_h / 2), op_shade(OpKind::BW, op.second.dir),
           op.second.mb, base);
    } else {
      cell(p, QRectF(x, row.top_px, w, op_h), op_shade(op.kind, op.first.dir), op.first.mb, base);
    }
    if (highlight && highlight->case_index == row.case_index && highlight->rank == row.rank &&
        highlight->op_index == i) {
      p.setPen(QPen(QColor("#d62728"), 2.0));
      p.setBrush(Qt::NoBrush);
      p.drawRect(QRectF(x, row.top_px, w, m.row_px));
    }
  }
  return first;
}

// The row's stream pieces that start in [from, t_right], on the two lower quarters.
void paint_row_streams(QPainter& p, const std::vector<StreamPiece>& pieces, const RowPlace& row,
                       const LayoutMetrics& m, const TimeAxis& axis, double from, double t_right) {
  const double lane = m.row_px / 4;
  auto pit = std::lower_bound(pieces.begin(), pieces.end(), from,
                              [](const StreamPiece& s, double t) { return s.start.us() < t; });
  p.setPen(Qt::NoPen);
  for (; pit != pieces.end() && pit->start.us() <= t_right; ++pit) {
    const double x = axis.to_px(pit->start.us());
    const double w = std::max(axis.to_px(pit->end.us()) - x, 0.5);
    const double y = row.top_px + m.row_px / 2 + (pit->comm ? lane : 0.0);
    p.setBrush(QColor(pit->comm ? kCommFill : op_shade(pit->kind, pit->part.dir).fill));
    p.drawRect(QRectF(x, y, w, lane));
  }
}

// One rank's row: its label, the idle background up to the makespan, its operations and
// (where the case has them) its stream pieces, clipped to the plot area.
void paint_row(QPainter& p, const ExperimentCase& ec, const RowPlace& row, const LayoutMetrics& m,
               const TimeAxis& axis, double plot_left, double plot_right, const QFont& base,
               const std::optional<Hit>& highlight) {
  QFont label = base;
  label.setPixelSize(11);
  p.setFont(label);
  p.setPen(QColor("#222222"));
  p.drawText(QRectF(0, row.top_px, plot_left - 8.0, m.row_px), Qt::AlignRight | Qt::AlignVCenter,
             QString("rank %1").arg(row.rank));
  p.save();
  p.setClipRect(QRectF(plot_left, row.top_px - 1, plot_right - plot_left, m.row_px + 2));
  const double x0 = axis.to_px(0.0);
  const double x1 = axis.to_px(ec.result.makespan.us());
  p.setPen(QPen(QColor("#d0d0d0"), 0.5));
  p.setBrush(QColor(kIdleFill));
  p.drawRect(QRectF(x0, row.top_px, x1 - x0, m.row_px));
  const auto& timing = ec.result.timing[row.rank];
  const double t_left = axis.to_us(plot_left);
  const double t_right = axis.to_us(plot_right);
  const bool streams = row.rank < static_cast<int>(ec.streams.size());
  // With streams: operations on the upper half, their compute and communication pieces
  // on the two lower quarters.
  const double op_h = streams ? m.row_px * 0.5 : m.row_px;
  const auto first = paint_row_ops(p, ec, row, m, axis, t_left, t_right, op_h, base, highlight);
  if (streams) {
    // Pieces are sorted by start; a piece never outlasts its operation, so starting from
    // the first op in view is enough.
    const double from = first == timing.end() ? t_right : first->start.us();
    paint_row_streams(p, ec.streams[static_cast<std::size_t>(row.rank)], row, m, axis, from,
                      t_right);
  }
  p.restore();
}

// Time axis over the visible window.
void paint_time_axis(QPainter& p, const TimelineLayout& layout, const TimeAxis& axis,
                     double plot_left, double plot_right, const QFont& base) {
  const double ay = layout.axis_top_px();
  p.setPen(QColor("#222222"));
  p.drawLine(QPointF(plot_left, ay), QPointF(plot_right, ay));
  const double t_left = axis.to_us(plot_left);
  const double t_right = axis.to_us(plot_right);
  const double step = nice_tick_step(t_right - t_left, (plot_right - plot_left) / 110.0);
  // Label in the unit that keeps the numbers short.
  const double span = t_right - t_left;
  const double unit = span >= 2e6 ? 1e6 : span >= 2e3 ? 1e3 : 1.0;
  const char* unit_name = unit == 1e6 ? "time (s)" : unit == 1e3 ? "time (ms)" : "time (us)";
  QFont tick = base;
  tick.setPixelSize(11);
  p.setFont(tick);
  for (double v = std::ceil(t_left / step) * step; v <= t_right + step * 1e-9; v += step) {
    const double x = axis.to_px(v);
    p.drawLine(QPointF(x, ay), QPointF(x, ay + 4));
    p.drawText(QRectF(x - 50, ay + 4, 100, 14), Qt::AlignHCenter | Qt::AlignTop,
               QString::number(std::abs(v) < step * 1e-9 ? 0.0 : v / unit, 'g', 6));
  }
  p.drawText(QRectF(0, ay + 4, plot_left - 8.0, 14), Qt::AlignRight | Qt::AlignTop,
             QString(unit_name));
}

}  // namespace

QString format_duration_us(double us) {
  const double a = std::abs(us);
  if (a >= 1e6) return QString::number(us / 1e6, 'g', 4) + " s";
  if (a >= 1e3) return QString::number(us / 1e3, 'g', 4) + " ms";
  return QString::number(us, 'g', 6) + " us";
}

void paint_timelines(QPainter& p, const std::vector<ExperimentCase>& cases,
                     const TimelineLayout& layout, const TimeAxis& axis, double width_px,
                     const std::optional<Hit>& highlight) {
  const LayoutMetrics& m = layout.metrics();
  const double plot_left = axis.left_px();
  const double plot_right = width_px - 8.0;
  QFont base = p.font();
  base.setFamily("DejaVu Sans");
  p.setRenderHint(QPainter::Antialiasing, false);
  p.fillRect(QRectF(0, 0, width_px, layout.height_px()), Qt::white);

  // Rows, clipped to the plot area so zoomed-in content never covers the labels.
  paint_case_titles(p, cases, layout, plot_left, plot_right, base);
  for (const RowPlace& row : layout.rows()) {
    paint_row(p, cases[row.case_index], row, m, axis, plot_left, plot_right, base, highlight);
  }

  paint_time_axis(p, layout, axis, plot_left, plot_right, base);
}

void paint_legend(QPainter& p, double left_px, double top_px) {
  std::vector<LegendItem> items = timeline_legend();
  items.push_back({"split cell: overlapped F (top) and BW (bottom)", OpShade{"#ffffff", "#222222"}});
  items.push_back({"communication stream", OpShade{kCommFill, "#222222"}});
  QFont f = p.font();
  f.setFamily("DejaVu Sans");
  f.setPixelSize(12);
  p.setFont(f);
  const QFontMetricsF fm(f);
  double x = left_px;
  for (const LegendItem& it : items) {
    p.setPen(QPen(QColor("#555555"), 0.5));
    p.setBrush(QColor(it.shade.fill));
    p.drawRect(QRectF(x, top_px + 6, 14, 14));
    p.setPen(QColor("#222222"));
    const QString label = QString::fromUtf8(it.label);
    p.drawText(QPointF(x + 19, top_px + 18), label);
    x += 19 + fm.horizontalAdvance(label) + 16;
  }
}

}  // namespace llmsim::gui
