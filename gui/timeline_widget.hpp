#pragma once
// TimelineWidget: shows the compared cases' timelines on one time axis. Wheel zooms around
// the cursor, dragging pans, double-click fits the window; hovering an operation shows its
// kind, micro-batch, stage, direction, start and end. Drawing is timeline_painter's; mapping,
// zoom and hit-testing are the Qt-free TimeAxis and TimelineLayout.

#include <optional>
#include <vector>

#include <QWidget>

#include "gui/time_axis.hpp"
#include "gui/timeline_layout.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

class TimelineWidget : public QWidget {
  Q_OBJECT

 public:
  explicit TimelineWidget(QWidget* parent = nullptr);

  // Shows new results and fits them to the window.
  void set_cases(std::vector<ExperimentCase> cases);
  // The height the next set_cases lays its rows out in: rows shrink (to 4 px at least) so
  // that every case and the legend fit; 0 (the default): rows keep their full height.
  void set_max_height_px(int px) { max_height_px_ = px; }
  const std::vector<ExperimentCase>& cases() const { return cases_; }
  const TimeAxis& axis() const { return axis_; }
  const TimelineLayout& layout() const { return layout_; }
  void fit_to_window();
  void zoom_at(double x_px, double factor);
  void pan_by(double dx_px);
  // The text the tooltip shows for an op under a point, empty over nothing.
  QString describe_at(double x_px, double y_px) const;
  QSize sizeHint() const override;

 signals:
  void hovered(const QString& description);

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;

 private:
  std::vector<ExperimentCase> cases_;
  TimelineLayout layout_;
  TimeAxis axis_;
  std::optional<Hit> hover_;
  std::optional<double> drag_x_;
  bool fitted_ = false;
  int max_height_px_ = 0;
};

}  // namespace llmsim::gui
