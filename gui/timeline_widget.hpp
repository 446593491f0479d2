#pragma once
// TimelineWidget: every compared case's timeline at once, on one time axis pinned at the top
// (zoom and pan move all cases together). Rows shrink so that all cases fit the widget's
// height. Mouse: drag pans, wheel or ctrl+wheel zooms around the cursor, shift+wheel pans,
// shift+drag measures a range, double-click fits the window, right-click folds a case or
// hides a rank. Keys (as in Perfetto): W / S zoom in / out, A / D pan left / right, 0 fits.
// Hovering an operation frames it, draws arrows to the ops it waits for and that wait for it,
// and shows its description as a tooltip. Drawing is timeline_painter's; mapping, layout,
// hit-testing, spans, search, measuring and the critical path are Qt-free (TimeAxis,
// TimelineLayout, timeline_query).

#include <memory>
#include <optional>
#include <vector>

#include <QWidget>

#include "gui/time_axis.hpp"
#include "gui/timeline_layout.hpp"
#include "gui/timeline_painter.hpp"
#include "gui/timeline_query.hpp"
#include "sim/pipeline/op_dependencies.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

class TimelineWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  // Shows new results, all ranks unfolded, and fits them to the window.
  void set_cases(std::vector<ExperimentCase> cases);
  // The height the next set_cases lays its rows out in: rows shrink (to 4 px at least) so
  // that every case and the legend fit; 0 (the default): rows keep their full height.
  void set_max_height_px(int px) { max_height_px_ = px; }
  const std::vector<ExperimentCase>& cases() const { return cases_; }
  const TimeAxis& axis() const { return axis_; }
  const TimelineLayout& layout() const { return layout_; }
  const TimelineMarks& marks() const { return marks_; }
  void fit_to_window();
  void zoom_at(double x_px, double factor);
  void pan_by(double dx_px);
  // The text the tooltip shows for an op under a point, empty over nothing.
  QString describe_at(double x_px, double y_px) const;
  // Hovers the point as the mouse would: frame, dependency arrows, tooltip.
  void hover_at(double x_px, double y_px, QPoint global = {});
  QString tooltip_text() const { return tooltip_; }

  void set_critical_path(bool on);
  // Highlights ops whose name contains `query`; returns how many match.
  std::size_t set_search(const QString& query);
  void set_folded(int case_index, bool folded);
  void hide_rank(int case_index, int rank);
  void show_all_rows();
  // A measured range (shift+drag) between two x positions; reset by a click.
  void measure(double x0_px, double x1_px);
  void clear_measure();

  // The height that shows every row at its full size, and the legend.
  int preferred_height() const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 signals:
  void hovered(const QString& description);
  void measured(const QString& text);

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void keyPressEvent(QKeyEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;
  void contextMenuEvent(QContextMenuEvent*) override;
  void leaveEvent(QEvent*) override;

 private:
  enum class Drag { kNone, kPan, kMeasure };
  void relayout();
  double max_row_px() const;
  const OpDependencies& deps(int case_index);

  std::vector<ExperimentCase> cases_;
  std::vector<CaseRows> rows_;
  std::vector<std::unique_ptr<OpDependencies>> deps_;  // built on first hover
  TimelineLayout layout_;
  TimeAxis axis_;
  TimelineMarks marks_;
  QString query_;
  QString tooltip_;
  bool critical_ = false;
  Drag drag_ = Drag::kNone;
  double drag_from_x_ = 0.0;
  double drag_last_x_ = 0.0;
  bool fitted_ = false;
  int max_height_px_ = 0;
};

}  // namespace llmsim::gui
