#include "gui/timeline_widget.hpp"

#include <algorithm>
#include <cmath>

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

namespace llmsim::gui {

namespace {

constexpr double kRightMarginPx = 8.0;
constexpr double kZoomStep = 1.25;

}  // namespace

TimelineWidget::TimelineWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TimelineWidget::set_cases(std::vector<ExperimentCase> cases) {
  cases_ = std::move(cases);
  rows_.clear();
  for (const auto& c : cases_) rows_.push_back(CaseRows{c.plan.pp, false, {}});
  deps_.clear();
  deps_.resize(cases_.size());
  marks_ = TimelineMarks{};
  tooltip_.clear();
  if (critical_) set_critical_path(true);
  if (!query_.isEmpty()) set_search(query_);
  relayout();
  fit_to_window();
  updateGeometry();
}

double TimelineWidget::max_row_px() const {
  // Rows with stream lanes below the operations need the room.
  for (const auto& c : cases_) {
    if (!c.streams.empty()) return 34.0;
  }
  return 22.0;
}

void TimelineWidget::relayout() {
  int rows = 0;
  for (const CaseRows& r : rows_) {
    rows += r.folded ? 1 : r.ranks - static_cast<int>(r.hidden.size());
  }
  const double room = height() - legend_height_px(width() - LayoutMetrics{}.label_px);
  const LayoutMetrics m =
      fit_rows(LayoutMetrics{}, static_cast<int>(rows_.size()), rows, room, max_row_px());
  layout_ = TimelineLayout(rows_, m);
  update();
}

int TimelineWidget::preferred_height() const {
  LayoutMetrics m;
  m.row_px = max_row_px();
  const TimelineLayout full(rows_, m);
  return static_cast<int>(full.height_px() + legend_height_px(std::max(width(), 1000) - m.label_px));
}

QSize TimelineWidget::sizeHint() const { return QSize(1000, preferred_height()); }
QSize TimelineWidget::minimumSizeHint() const { return QSize(300, 150); }

void TimelineWidget::fit_to_window() {
  const double left = layout_.metrics().label_px;
  axis_ = TimeAxis::fit(left, width() - left - kRightMarginPx, 0.0, longest_makespan_us(cases_));
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
  return QString::fromStdString(describe_op(cases_[hit->case_index], hit->rank, hit->op_index));
}

const OpDependencies& TimelineWidget::deps(int case_index) {
  auto& d = deps_[static_cast<std::size_t>(case_index)];
  if (!d) d = std::make_unique<OpDependencies>(cases_[case_index].plan);
  return *d;
}

void TimelineWidget::hover_at(double x_px, double y_px, QPoint global) {
  const auto hit = hit_test(cases_, layout_, axis_, x_px, y_px);
  if (hit == marks_.hover) return;
  marks_.hover = hit;
  marks_.arrows.clear();
  marks_.arrows_case = -1;
  tooltip_.clear();
  if (hit) {
    const OpDependencies& d = deps(hit->case_index);
    const OpRef ref{hit->rank, hit->op_index};
    marks_.arrows = d.inputs(ref);
    for (const Dependency& out : d.outputs(ref)) marks_.arrows.push_back(out);
    marks_.arrows_case = hit->case_index;
    tooltip_ = QString::fromStdString(describe_op(cases_[hit->case_index], hit->rank,
                                                  hit->op_index));
  }
  emit hovered(tooltip_);
  if (tooltip_.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(global, tooltip_, this);
  update();
}

void TimelineWidget::set_critical_path(bool on) {
  critical_ = on;
  marks_.critical.clear();
  if (on) {
    for (const auto& c : cases_) marks_.critical.push_back(critical_flags(c));
  }
  update();
}

std::size_t TimelineWidget::set_search(const QString& query) {
  query_ = query;
  marks_.matches.clear();
  std::size_t total = 0;
  if (!query.trimmed().isEmpty()) {
    for (const auto& c : cases_) {
      std::size_t n = 0;
      marks_.matches.push_back(search_flags(c.plan, query.toStdString(), &n));
      total += n;
    }
  }
  update();
  return total;
}

void TimelineWidget::set_folded(int case_index, bool folded) {
  if (case_index < 0 || case_index >= static_cast<int>(rows_.size())) return;
  rows_[case_index].folded = folded;
  marks_.hover.reset();
  relayout();
}

void TimelineWidget::hide_rank(int case_index, int rank) {
  if (case_index < 0 || case_index >= static_cast<int>(rows_.size())) return;
  CaseRows& r = rows_[case_index];
  // The last visible rank of a case stays.
  if (r.ranks - static_cast<int>(r.hidden.size()) <= 1) return;
  if (std::find(r.hidden.begin(), r.hidden.end(), rank) == r.hidden.end()) r.hidden.push_back(rank);
  marks_.hover.reset();
  relayout();
}

void TimelineWidget::show_all_rows() {
  for (CaseRows& r : rows_) {
    r.folded = false;
    r.hidden.clear();
  }
  relayout();
}

void TimelineWidget::measure(double x0_px, double x1_px) {
  marks_.measure = measure_between(axis_, x0_px, x1_px);
  const Measure& m = *marks_.measure;
  emit measured(QString("measured %1 (from %2 to %3)")
                    .arg(format_duration_us(m.duration_us()))
                    .arg(format_duration_us(m.t0_us))
                    .arg(format_duration_us(m.t1_us)));
  update();
}

void TimelineWidget::clear_measure() {
  marks_.measure.reset();
  update();
}

void TimelineWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  paint_timelines(p, cases_, layout_, axis_, width(), marks_);
  p.fillRect(QRectF(0, layout_.height_px(), width(), height() - layout_.height_px()), Qt::white);
  paint_legend(p, layout_.metrics().label_px, layout_.height_px(),
               width() - layout_.metrics().label_px);
}

void TimelineWidget::resizeEvent(QResizeEvent*) {
  relayout();
  if (fitted_) fit_to_window();
}

void TimelineWidget::wheelEvent(QWheelEvent* e) {
  const double steps = e->angleDelta().y() / 120.0;
  if (e->modifiers() & Qt::ShiftModifier) {
    pan_by(steps * width() / 10.0);
  } else if (steps != 0.0) {
    zoom_at(e->position().x(), std::pow(kZoomStep, steps));
  }
  e->accept();
}

void TimelineWidget::keyPressEvent(QKeyEvent* e) {
  const QPointF cursor = mapFromGlobal(QCursor::pos());
  const double anchor = rect().contains(cursor.toPoint()) ? cursor.x() : width() / 2.0;
  switch (e->key()) {
    case Qt::Key_W: zoom_at(anchor, kZoomStep); break;
    case Qt::Key_S: zoom_at(anchor, 1 / kZoomStep); break;
    case Qt::Key_A: pan_by(width() / 8.0); break;
    case Qt::Key_D: pan_by(-width() / 8.0); break;
    case Qt::Key_0: fit_to_window(); break;
    case Qt::Key_Escape: clear_measure(); break;
    default: QWidget::keyPressEvent(e); return;
  }
  e->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  drag_from_x_ = drag_last_x_ = e->position().x();
  drag_ = (e->modifiers() & Qt::ShiftModifier) ? Drag::kMeasure : Drag::kPan;
  setFocus();
}

void TimelineWidget::mouseMoveEvent(QMouseEvent* e) {
  const double x = e->position().x();
  if (drag_ == Drag::kPan) {
    pan_by(x - drag_last_x_);
    drag_last_x_ = x;
    return;
  }
  if (drag_ == Drag::kMeasure) {
    measure(drag_from_x_, x);
    return;
  }
  hover_at(x, e->position().y(), e->globalPosition().toPoint());
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent* e) {
  // A plain click (no drag) clears a measured range.
  if (drag_ == Drag::kPan && std::abs(e->position().x() - drag_from_x_) < 2.0) clear_measure();
  drag_ = Drag::kNone;
}

void TimelineWidget::mouseDoubleClickEvent(QMouseEvent*) { fit_to_window(); }

void TimelineWidget::leaveEvent(QEvent*) {
  // Off the widget: no hovered op, no arrows.
  if (drag_ == Drag::kNone) hover_at(-1.0, -1.0);
}

void TimelineWidget::contextMenuEvent(QContextMenuEvent* e) {
  const auto row = layout_.row_at(e->pos().y());
  QMenu menu(this);
  if (row) {
    const int c = row->case_index;
    if (row->summary) {
      menu.addAction("Unfold this schedule", this, [this, c] { set_folded(c, false); });
    } else {
      menu.addAction("Fold this schedule into one row", this, [this, c] { set_folded(c, true); });
      const int r = row->rank;
      menu.addAction(QString("Hide rank %1").arg(r), this, [this, c, r] { hide_rank(c, r); });
    }
  }
  menu.addAction("Show all ranks", this, [this] { show_all_rows(); });
  menu.exec(e->globalPos());
}

}  // namespace llmsim::gui
