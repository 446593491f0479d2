#pragma once
// PlanWidget: a plan search on a plot (Qt Charts): days against dollars of every feasible plan,
// the Pareto front marked and joined; hovering a point shows its plan, clicking it shows that
// plan's step on the timeline and its breakdown. The search runs off the GUI thread; what to
// plot and the selected plan's step are plan_view's (Qt-free).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QWidget>

#include "gui/plan_view.hpp"

class QChartView;
class QLabel;
class QPointF;
class QScatterSeries;
template <typename T>
class QFutureWatcher;

namespace llmsim::gui {

class TimelineWidget;

// Dollars on the plot's cost axis: millions, so the labels read "4.65", not "4650000".
double plot_usd(double usd);

struct PlanSearchOutcome {
  std::optional<PlanSearchView> view;
  std::string error;  // empty on success
};

class PlanWidget : public QWidget {
  Q_OBJECT

 public:
  explicit PlanWidget(QWidget* parent = nullptr);
  ~PlanWidget() override;

  // Searches the small space (plan_view's small_space) of the scenario file, storing rows in
  // `db` (empty: none; an existing file of the same search is read back). In the background,
  // or on the calling thread (tests, --render).
  void start_search(const std::string& scenario, const std::vector<std::string>& overrides,
                    const std::string& db);
  void search_now(const std::string& scenario, const std::vector<std::string>& overrides,
                  const std::string& db);
  void set_view(PlanSearchView view);
  // Selects candidate `index` (a plotted one): its timeline and breakdown.
  void select(std::size_t index);

  const PlanSearchView& view() const { return view_; }
  std::optional<std::size_t> selected() const { return selected_; }
  QChartView* chart_view() const { return chart_view_; }
  QScatterSeries* plans_series() const { return plans_; }
  QScatterSeries* front_series() const { return front_; }
  TimelineWidget* timeline() const { return timeline_; }
  QString breakdown_text() const;
  QString error_text() const { return error_; }  // the last search's error, empty if none

 signals:
  void search_shown();

 private:
  void show_outcome(PlanSearchOutcome outcome);
  void on_clicked(const QPointF& value, bool front);
  void on_hovered(const QPointF& value, bool state, bool front);
  const PlanPoint* nearest(const QPointF& value, bool front) const;

  PlanSearchView view_;
  std::optional<std::size_t> selected_;
  QString error_;
  QChartView* chart_view_ = nullptr;
  QScatterSeries* plans_ = nullptr;
  QScatterSeries* front_ = nullptr;
  QScatterSeries* selected_series_ = nullptr;  // a ring around the selected plan
  TimelineWidget* timeline_ = nullptr;
  QLabel* breakdown_ = nullptr;
  QLabel* status_ = nullptr;
  QFutureWatcher<PlanSearchOutcome>* watcher_ = nullptr;
};

}  // namespace llmsim::gui
