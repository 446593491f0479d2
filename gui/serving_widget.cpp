#include "gui/serving_widget.hpp"

#include <algorithm>
#include <cmath>

#include <QPainter>
#include <QPainterPath>

#include <fmt/format.h>

#include "report/timeline_palette.hpp"

namespace llmsim::gui {

namespace {

// Tableau 10: distinct on screen and in print.
QColor case_color(std::size_t i) {
  static const char* colors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return QColor(colors[i % 10]);
}

QString number(double v) {
  if (v >= 1e6) return QString::fromStdString(fmt::format("{:.3g}M", v / 1e6));
  if (v >= 1e4) return QString::fromStdString(fmt::format("{:.4g}K", v / 1e3));
  return QString::fromStdString(fmt::format("{:.4g}", v));
}

// Frame, title and ticks of a panel; x from 0 to x_end, y from 0 to y_end.
// x_end <= 0: no x ticks (a bar chart's groups label the axis).
void draw_axes(QPainter& p, const QRectF& r, const QString& title, const QString& x_label,
               double x_end, double y_end, bool y_share) {
  p.setPen(QColor("#333333"));
  p.drawText(QRectF(r.left(), r.top() - 24, r.width(), 20), Qt::AlignLeft | Qt::AlignVCenter, title);
  p.setPen(QColor("#999999"));
  p.drawRect(r);
  const double xs = x_end > 0 ? nice_tick_step(x_end, 5) : 1.0, ys = y_share ? 0.25 : nice_tick_step(y_end, 4);
  p.setPen(QColor("#555555"));
  for (double x = 0; x_end > 0 && x <= x_end * 1.0001; x += xs) {
    const double px = r.left() + r.width() * x / x_end;
    p.drawLine(QPointF(px, r.bottom()), QPointF(px, r.bottom() + 4));
    p.drawText(QRectF(px - 40, r.bottom() + 4, 80, 16), Qt::AlignHCenter, number(x));
  }
  for (double y = 0; y <= y_end * 1.0001; y += ys) {
    const double py = r.bottom() - r.height() * y / y_end;
    p.drawLine(QPointF(r.left() - 4, py), QPointF(r.left(), py));
    p.drawText(QRectF(r.left() - 64, py - 8, 58, 16), Qt::AlignRight | Qt::AlignVCenter,
               y_share ? QString::number(std::lround(100 * y)) + "%" : number(y));
  }
  p.drawText(QRectF(r.left(), r.bottom() + 20, r.width(), 16), Qt::AlignHCenter, x_label);
}

void draw_cdf_panel(QPainter& p, const QRectF& r, const std::vector<ServingCurve>& curves, bool tpot) {
  const double end = latency_axis_end(curves, tpot);
  draw_axes(p, r, tpot ? "TPOT: share of requests within (cumulative)" : "TTFT: share of requests within (cumulative)",
            tpot ? "time per output token (s)" : "time to first token (s)", end, 1.0, true);
  p.save();
  p.setClipRect(r);
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const auto pts = cdf_points(tpot ? curves[i].tpot_s : curves[i].ttft_s, 2000);
    QPainterPath path;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const QPointF q(r.left() + r.width() * pts[k].value / end, r.bottom() - r.height() * pts[k].share);
      if (k == 0) path.moveTo(q);
      else path.lineTo(q);
    }
    // Solid, dashed, dotted, ...: cases with the same distribution stay visible.
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    p.setPen(QPen(case_color(i), 2, styles[i % 4]));
    p.drawPath(path);
    const double target = tpot ? curves[i].targets.tpot_s : curves[i].targets.ttft_s;
    if (target > 0 && i == 0) {
      const double x = r.left() + r.width() * target / end;
      p.setPen(QPen(QColor("#b00020"), 1, Qt::DashLine));
      p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
      const bool right = x + 60 > r.right();
      p.drawText(QRectF(right ? x - 64 : x + 4, r.top() + 2, 60, 16),
                 right ? Qt::AlignRight : Qt::AlignLeft, "target");
    }
  }
  p.restore();
}

// Two groups of bars: prefill input and decode output tokens/s per node, a bar per case.
void draw_capacity_panel(QPainter& p, const QRectF& r, const std::vector<ServingCurve>& curves) {
  double top = 0.0;
  for (const ServingCurve& c : curves) top = std::max({top, c.prefill_per_node, c.decode_per_node});
  top = top > 0 ? 1.15 * top : 1.0;
  draw_axes(p, r, "Capacity per node (90% within the targets)", "", 0.0, top, false);
  const char* groups[] = {"prefill input tokens/s", "decode output tokens/s"};
  const double group_w = r.width() / 2.0, n = static_cast<double>(std::max<std::size_t>(1, curves.size()));
  for (int g = 0; g < 2; ++g) {
    const double x0 = r.left() + g * group_w + group_w * 0.1, bar = group_w * 0.8 / n;
    for (std::size_t i = 0; i < curves.size(); ++i) {
      const double v = g == 0 ? curves[i].prefill_per_node : curves[i].decode_per_node;
      const double h = r.height() * v / top;
      const QRectF b(x0 + static_cast<double>(i) * bar, r.bottom() - h, bar * 0.9, h);
      p.fillRect(b, case_color(i));
      p.setPen(QColor("#333333"));
      QFont small = p.font();
      small.setPointSizeF(small.pointSizeF() * (bar < 70 ? 0.75 : 1.0));
      p.save();
      p.setFont(small);
      p.drawText(QRectF(b.left() - 4, b.top() - 16, b.width() + 8, 14), Qt::AlignHCenter, number(v));
      p.restore();
    }
    p.drawText(QRectF(r.left() + g * group_w, r.bottom() + 4, group_w, 16), Qt::AlignHCenter, groups[g]);
  }
}

void draw_legend(QPainter& p, const QRectF& r, const std::vector<ServingCurve>& curves) {
  double y = r.top();
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const ServingCurve& c = curves[i];
    p.setPen(QPen(case_color(i), 2, i % 4 == 0 ? Qt::SolidLine : i % 4 == 1 ? Qt::DashLine : i % 4 == 2 ? Qt::DotLine : Qt::DashDotLine));
    p.drawLine(QPointF(r.left(), y + 8), QPointF(r.left() + 14, y + 8));
    p.setPen(QColor("#222222"));
    std::string line = c.label + ":  ";
    if (c.nodes_for_daily_volume > 0) {
      line += fmt::format("{:.1f} nodes for the daily volume,  ", c.nodes_for_daily_volume);
    }
    line += fmt::format("${:.3f} per million output tokens,  {:.1f}% within the targets at its load",
                        c.usd_per_million_output, 100 * c.slo_attainment);
    p.drawText(QRectF(r.left() + 20, y, r.width() - 20, 16), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromStdString(line));
    y += 20;
  }
}

}  // namespace

ServingWidget::ServingWidget(QWidget* parent) : QWidget(parent) { setMinimumHeight(420); }

void ServingWidget::set_curves(std::vector<ServingCurve> curves) {
  curves_ = std::move(curves);
  setMinimumHeight(420 + 20 * static_cast<int>(curves_.size()));
  update();
}

void ServingWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), Qt::white);
  if (curves_.empty()) return;
  const double legend_h = 20.0 * static_cast<double>(curves_.size()) + 10.0;
  const double w = width(), h = height() - legend_h;
  const double panel_w = (w - 80.0 * 3 - 20.0) / 3.0, panel_h = std::max(120.0, h - 110.0);
  for (int k = 0; k < 3; ++k) {
    const QRectF r(80.0 + k * (panel_w + 80.0), 40.0, panel_w, panel_h);
    if (k < 2) draw_cdf_panel(p, r, curves_, k == 1);
    else draw_capacity_panel(p, r, curves_);
  }
  draw_legend(p, QRectF(80.0, 40.0 + panel_h + 50.0, w - 100.0, legend_h), curves_);
}

}  // namespace llmsim::gui
