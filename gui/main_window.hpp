#pragma once
// MainWindow: the inputs panel (a schedule experiment set by hand: pipeline size,
// micro-batches, virtual stages, F / B / W / BW / F&B costs, transfer latency, and which
// schedules to compare), the stacked timelines, and below them two tabs: the comparison table
// (Figures) and, for training scenarios, each case's link utilization (Links); for serving
// scenarios, the serving view (latency distributions and capacity of each case) instead. Simulations run
// off the GUI thread; invalid inputs are refused in the form with the CLI's message.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QFutureWatcher>
#include <QMainWindow>

#include "costmodel/estimate/compare/comparison.hpp"
#include "costmodel/estimate/compare/step_links.hpp"
#include "gui/serving_view.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QSplitter;
class QTableView;
class QTabWidget;
class QTimer;

namespace llmsim::gui {

class ComparisonModel;
class LinksWidget;
class PlanWidget;
class ServingWidget;
class TimelinePane;
class TimelineWidget;

// The form's contents as text, exactly as typed (costs use the CLI's syntax). With scenario
// files, each checked schedule (and each value of `vary`) is one case of `llmsim run`; the
// experiment fields are not used.
struct FormInputs {
  std::vector<std::string> scenarios;
  std::string vary;  // "key=value1,value2,..." or empty
  std::vector<std::string> overrides;  // "path.to.key=value" for every scenario case (--set)
  int pp = 8;
  int micro_batches = 20;
  int vpp = 2;
  std::string f = "1", b = "1", w = "1", bw, fb, p2p_latency = "0";
  std::vector<ScheduleMethod> methods{ScheduleMethod::k1F1B, ScheduleMethod::kZB1P,
                                      ScheduleMethod::kDualPipe};
};

// Turns the form into an experiment; UserError with the CLI's wording for bad values.
ScheduleExperiment experiment_from_form(const FormInputs& in);

struct RunOutcome {
  std::vector<ExperimentCase> cases;      // the timelines
  Comparison comparison;                  // the table: one case per timeline
  std::vector<StepLinks> links;           // training scenarios: one per case (the Links tab)
  std::vector<ServingCurve> serving;      // serving scenarios: one per case (no timelines)
  std::string error;  // empty on success
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  void set_inputs(const FormInputs& in);
  FormInputs inputs() const;
  // Runs the current inputs on the calling thread (tests, --render) and shows the outcome.
  void run_now();
  // Whether a background run is in flight or queued.
  bool busy() const;
  // The window height that shows every timeline row (at full size) and table row, and the
  // splitter sizes that go with it (the offscreen renderer uses both).
  int content_height() const;
  void fit_splitter_to_content();

  TimelineWidget* timeline() const { return timeline_; }
  TimelinePane* timeline_pane() const { return timeline_pane_; }
  QSplitter* splitter() const { return right_; }
  ServingWidget* serving() const { return serving_; }
  ComparisonModel* comparison() const { return model_; }
  LinksWidget* links() const { return links_; }
  QTabWidget* tabs() const { return tabs_; }  // Figures (the table), Links
  QString error_text() const;

  // Loads a scenario file (validated at once). A malformed one gets an error dialog naming
  // file, line and field; the message is returned, empty on success.
  QString open_scenario(const QString& path);
  void close_scenarios();
  // The plan search of the first open scenario (its GPU type at half, as many and twice as
  // many GPUs; the small space), rows kept in `db` (empty: none), in its own window; null
  // without a scenario.
  PlanWidget* open_plan_search(const QString& db, bool background = true);

  // Exports; each returns an error message, empty on success.
  QString export_png(const QString& path);
  QString export_svg(const QString& path);
  QString export_csv(const QString& path);
  QString export_trace(const QString& path);

 signals:
  void results_shown();

 private:
  void build_ui();
  void build_menus();
  void schedule_run();  // debounced run after an edit
  void start_run();
  void show_outcome(RunOutcome outcome);
  void size_table();  // the tabs as tall as their rows (at most 40 %), the timelines the rest
  int tabs_height() const;  // the height that shows the table's (or, if taller, Links') rows

  QSpinBox* pp_ = nullptr;
  QSpinBox* micro_batches_ = nullptr;
  QSpinBox* vpp_ = nullptr;
  QLineEdit* f_ = nullptr;
  QLineEdit* b_ = nullptr;
  QLineEdit* w_ = nullptr;
  QLineEdit* bw_ = nullptr;
  QLineEdit* fb_ = nullptr;
  QLineEdit* latency_ = nullptr;
  std::vector<std::pair<ScheduleMethod, QCheckBox*>> method_boxes_;
  QLabel* error_ = nullptr;
  QLabel* scenario_label_ = nullptr;
  QLineEdit* vary_ = nullptr;
  QWidget* experiment_box_ = nullptr;
  QWidget* methods_box_ = nullptr;
  std::vector<std::string> scenarios_;
  std::vector<std::string> overrides_;
  TimelineWidget* timeline_ = nullptr;
  TimelinePane* timeline_pane_ = nullptr;
  bool user_sized_ = false;  // the splitter was dragged: results keep its sizes
  ServingWidget* serving_ = nullptr;
  PlanWidget* plan_ = nullptr;
  QTableView* table_ = nullptr;
  LinksWidget* links_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QSplitter* right_ = nullptr;
  ComparisonModel* model_ = nullptr;
  QTimer* debounce_ = nullptr;
  QFutureWatcher<RunOutcome>* watcher_ = nullptr;
  bool pending_ = false;
  bool loading_ = false;  // set_inputs in progress: no runs per field
};

}  // namespace llmsim::gui
