#include "gui/timeline_widget.hpp"

#include <algorithm>
#include <cmath>

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include "gui/timeline_painter.hpp"
#include "sim/pipeline/pipeline_report.hpp"

namespace llmsim::gui {

namespace {

// Shrinks `m`'s rows (and their gaps) so that cases with `ranks` rows fit in `height_px`;
// 4 px rows at least.
void shrink_rows(LayoutMetrics& m, const std::vector<int>& ranks, double height_px) {
  int rows = 0;
  for (int r : ranks) rows += r;
  if (rows == 0) return;
  const double fixed = m.top_px + m.axis_px +
                       static_cast<double>(ranks.size()) * (m.title_px + m.case_gap_px);
  const double per_row = (height_px - fixed) / rows;
  if (per_row >= m.row_px + m.row_gap_px) return;
  m.row_gap_px = per_row < 12.0 ? 1.0 : m.row_gap_px;
  m.row_px = std::max(4.0, std::floor(per_row - m.row_gap_px));
}

}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(200);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
}

void TimelineWidget::set_cases(std::vector<ExperimentCase> cases) {
  cases_ = std::move(cases);
  std::vector<int> ranks;
  LayoutMetrics metrics;
  for (const auto& c : cases_) {
    ranks.push_back(c.plan.pp);
    // Rows with stream lanes below the operations need the room.
    if (!c.streams.empty()) metrics.row_px = 34.0;
  }
  if (max_height_px_ > 0) shrink_rows(metrics, ranks, max_height_px_ - kLegendHeightPx - 4);
  layout_ = TimelineLayout(ranks, metrics);
  hover_.reset();
  setMinimumHeight(static_cast<int>(layout_.height_px() + kLegendHeightPx + 4));
  fit_to_window();
  updateGeometry();
}

QSize TimelineWidget::sizeHint() const {
  return QSize(1000, static_cast<int>(layout_.height_px() + kLegendHeightPx + 4));
}

void TimelineWidget::fit_to_window() {
  const double left = layout_.metrics().label_px;
  axis_ = TimeAxis::fit(left, width() - left - 8.0, 0.0, longest_makespan_us(cases_));
  fitted_ = true;
  update();
}

void TimelineWidget::zoom_at(double x_px, double factor) {
  axis_ = axis_.zoomed(x_px, factor);
  fitted_ = false;
  update();
}

void TimelineWidget::pan_by(double dx_px) {
  axis_ = axis_.panned(dx_px);
  fitted_ = false;
  update();
}

QString TimelineWidget::describe_at(double x_px, double y_px) const {
  const auto hit = hit_test(cases_, layout_, axis_, x_px, y_px);
  if (!hit) return {};
  const ExperimentCase& c = cases_[hit->case_index];
  const PipelineOp& op = c.plan.ops[hit->rank][hit->op_index];
  const OpTiming& t = c.result.timing[hit->rank][hit->op_index];
  auto part = [](const char* kind, const MicroStage& m) {
    return QString("%1 micro-batch %2, stage %3, direction %4")
        .arg(kind)
        .arg(m.mb)
        .arg(m.stage)
        .arg(m.dir);
  };
  QString what;
  if (op.kind == OpKind::FB) {
    what = part("F", op.first) + "\n" + part("BW", op.second) + " (overlapped)";
  } else {
    what = part(op_kind_name(op.kind).data(), op.first);
  }
  return QString("%1, rank %2\n%3\nstart %4 us, end %5 us")
      .arg(QString::fromStdString(c.title))
      .arg(hit->rank)
      .arg(what)
      .arg(t.start.us(), 0, 'g', 9)
      .arg(t.end.us(), 0, 'g', 9);
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint_timelines(p, cases_, layout_, axis_, width(), hover_);
  paint_legend(p, layout_.metrics().label_px, layout_.height_px());
}

void TimelineWidget::resizeEvent(QResizeEvent*) {
  if (fitted_) fit_to_window();
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  if (steps != 0.0) zoom_at(e->position().x(), std::pow(1.25, steps));
  e->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  if (e->button() == Qt::LeftButton) drag_x_ = e->position().x();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  const double x = e->position().x();
  if (drag_x_) {
    pan_by(x - *drag_x_);
    drag_x_ = x;
    return;
  }
  const auto hit = hit_test(cases_, layout_, axis_, x, e->position().y());
  const bool changed =
      hit.has_value() != hover_.has_value() ||
      (hit && (hit->case_index != hover_->case_index || hit->rank != hover_->rank ||
               hit->op_index != hover_->op_index));
  hover_ = hit;
  if (changed) {
    const QString text = describe_at(x, e->position().y());
    emit hovered(text);
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(e->globalPosition().toPoint(), text, this);
    update();
  }
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent*) { drag_x_.reset(); }

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent*) { fit_to_window(); }

}  // namespace llmsim::gui
