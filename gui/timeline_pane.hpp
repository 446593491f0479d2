#pragma once
// TimelinePane: the timelines with their tool row above them: a search field (ops whose
// name contains the text stay bright, the rest dim; the count of matches beside it), a
// critical-path toggle, fold / unfold all schedules, fit, and the measured range.

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace llmsim::gui {

class TimelineWidget;

class TimelinePane : public QWidget {
  Q_OBJECT

 public:
  explicit TimelinePane(QWidget* parent = nullptr);

  TimelineWidget* timeline() const { return timeline_; }
  QLineEdit* search() const { return search_; }
  QCheckBox* critical_path() const { return critical_; }
  // The height that shows every row at its full size.
  int preferred_height() const;

 private:
  TimelineWidget* timeline_ = nullptr;
  QLineEdit* search_ = nullptr;
  QLabel* matches_ = nullptr;
  QCheckBox* critical_ = nullptr;
  QLabel* measure_ = nullptr;
};

}  // namespace llmsim::gui
