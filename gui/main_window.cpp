#include "gui/main_window.hpp"

#include <QAction>
#include <QCheckBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QPushButton>
#include <QPainter>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <filesystem>

#include "gui/comparison_model.hpp"
#include "gui/links_widget.hpp"
#include "gui/plan_view.hpp"
#include "gui/plan_widget.hpp"
#include "gui/serving_widget.hpp"
#include "gui/timeline_painter.hpp"
#include "gui/timeline_pane.hpp"
#include "gui/timeline_widget.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "sim/check.hpp"
#include "report/output_file.hpp"
#include "sim/pipeline/pipeline_report.hpp"

namespace llmsim::gui {

ScheduleExperiment experiment_from_form(const FormInputs& in) {
  ScheduleExperiment e;
  e.methods = in.methods;
  e.pp = in.pp;
  e.micro_batches = in.micro_batches;
  e.vpp = in.vpp;
  e.costs.f_us = parse_duration_list("--f", in.f);
  e.costs.b_us = parse_duration_list("--b", in.b);
  e.costs.w_us = parse_duration_list("--w", in.w);
  if (!in.bw.empty()) e.costs.bw_us = parse_duration_list("--bw", in.bw);
  if (!in.fb.empty()) e.costs.fb_us = parse_duration("--fb", in.fb);
  e.costs.p2p_latency_us = parse_duration("--p2p-latency", in.p2p_latency.empty() ? "0" : in.p2p_latency);
  return e;
}

namespace {

int table_height(const QTableView* t, int rows);

// `vary` ("key=value1,value2,...") as its key and values; no key and one empty value if empty.
std::pair<std::string, std::vector<std::string>> vary_of(const FormInputs& in) {
  std::string vary_key;
  std::vector<std::string> vary_values{""};
  if (!in.vary.empty()) {
    const auto eq = in.vary.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == in.vary.size()) {
      throw UserError("vary = '" + in.vary + "': expected key=value1,value2,... (e.g. precision=fp8,bf16)");
    }
    vary_key = in.vary.substr(0, eq);
    vary_values.clear();
    std::size_t start = eq + 1;
    while (true) {
      const auto comma = in.vary.find(',', start);
      vary_values.push_back(in.vary.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return {vary_key, vary_values};
}

// Serving scenarios: every scenario x value of `vary` is one `llmsim serve`.
RunOutcome run_serving_scenarios(const FormInputs& in) {
  RunOutcome out;
  const auto [vary_key, vary_values] = vary_of(in);
  for (const std::string& file : in.scenarios) {
    for (const std::string& value : vary_values) {
      std::vector<std::string> set = in.overrides;
      if (!vary_key.empty()) set.push_back(vary_key + "=" + value);
      const Scenario s = load_scenario(file, set, default_data_dir());
      ServingOptions o;
      o.max_spans = 0;
      const ServingEstimate e = estimate_serving(s, scenario_profile(s), o);
      out.serving.push_back(serving_curve(s.name + (vary_key.empty() ? "" : ", " + vary_key + "=" + value),
                                          e, s.serving.targets));
    }
  }
  return out;
}

// One scenario case: `file` with `overrides`, schedule `m` (vpp 1 unless interleaved), then
// `vary` ("key=value", or empty); `s` gets the scenario.
RunEstimate run_scenario_case(const std::string& file, const std::vector<std::string>& overrides,
                              ScheduleMethod m, const std::string& vary, Scenario& s) {
  const Scenario base = load_scenario(file, overrides, default_data_dir());
  require_training(base, "llmsim-gui");
  const int vpp = base.plan.vpp > 1 ? base.plan.vpp : 2;
  std::vector<std::string> set = overrides;
  set.push_back("parallelism.schedule=" + std::string(schedule_method_name(m)));
  set.push_back("parallelism.vpp=" + std::to_string(m == ScheduleMethod::kInterleaved1F1B ? vpp : 1));
  if (!vary.empty()) set.push_back(vary);
  s = load_scenario(file, set, default_data_dir());
  return estimate_run(s, scenario_profile(s));
}

// Scenario mode: every scenario x checked schedule x value of `vary` is one `llmsim run`; the
// table is the comparison `llmsim compare` prints for the same cases.
RunOutcome run_scenarios(const FormInputs& in) {
  if (load_scenario(in.scenarios.front(), in.overrides, default_data_dir()).workload ==
      WorkloadKind::kServing) {
    return run_serving_scenarios(in);
  }
  RunOutcome out;
  const auto [vary_key, vary_values] = vary_of(in);
  if (in.methods.empty()) throw UserError("no schedule chosen; allowed: " + schedule_method_list());
  std::vector<RunEstimate> runs;
  std::vector<std::string> labels;
  for (const std::string& file : in.scenarios) {
    for (ScheduleMethod m : in.methods) {
      for (const std::string& value : vary_values) {
        Scenario s;
        runs.push_back(run_scenario_case(file, in.overrides, m,
                                         vary_key.empty() ? "" : vary_key + "=" + value, s));
        std::string label(schedule_method_name(m));
        if (in.scenarios.size() > 1) label = std::filesystem::path(file).stem().string() + " " + label;
        if (!vary_key.empty()) label += ", " + vary_key + "=" + value;
        out.cases.push_back(step_case(runs.back().phases.front().step,
                                      s.name + ": " + label + "  (one " +
                                          runs.back().phases.front().name + " step)"));
        out.links.push_back(step_links(runs.back().phases.front().step));
        labels.push_back(label);
      }
    }
  }
  std::vector<const RunEstimate*> pointers;
  for (const RunEstimate& r : runs) pointers.push_back(&r);
  out.comparison = compare_runs(labels, pointers);
  return out;
}

RunOutcome run_outcome(const FormInputs& in) {
  RunOutcome out;
  try {
    if (!in.scenarios.empty()) return run_scenarios(in);
    out.cases = run_experiment(experiment_from_form(in));
    std::vector<std::string> names;
    for (const auto& c : out.cases) names.emplace_back(schedule_method_name(c.plan.method));
    out.comparison = compare_schedules(names, out.cases);
  } catch (const std::exception& e) {
    out = RunOutcome{};
    out.error = e.what();
  }
  return out;
}

// The window's debounced re-run (MainWindow::schedule_run), which every edit of the form triggers.
using EditSlot = void (MainWindow::*)();

QSpinBox* spin_box(MainWindow* window, EditSlot on_edit, int lo, int hi, const QString& tip) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setToolTip(tip);
  QObject::connect(s, &QSpinBox::valueChanged, window, on_edit);
  return s;
}

QLineEdit* line_edit(MainWindow* window, EditSlot on_edit, const QString& placeholder,
                     const QString& tip) {
  auto* l = new QLineEdit;
  l->setPlaceholderText(placeholder);
  l->setToolTip(tip);
  QObject::connect(l, &QLineEdit::textChanged, window, on_edit);
  return l;
}

// The scenario group: which scenarios are open, open / close buttons and the vary field.
QGroupBox* scenario_group(MainWindow* window, EditSlot on_edit, QLabel*& scenario_label,
                          QLineEdit*& vary) {
  auto* scenario_box = new QGroupBox("Scenario");
  auto* scenario_layout = new QVBoxLayout(scenario_box);
  scenario_label = new QLabel("none: a schedule experiment set by hand below");
  scenario_label->setWordWrap(true);
  auto* open_button = new QPushButton("Open scenario...");
  auto* close_button = new QPushButton("Close scenario");
  QObject::connect(open_button, &QPushButton::clicked, window, [window] {
    const QString path = QFileDialog::getOpenFileName(window, "Open scenario", QString(),
                                                      "Scenarios (*.yaml *.yml)");
    if (!path.isEmpty()) window->open_scenario(path);
  });
  QObject::connect(close_button, &QPushButton::clicked, window, &MainWindow::close_scenarios);
  vary = new QLineEdit;
  vary->setPlaceholderText("vary: key=v1,v2  e.g. precision=fp8,bf16");
  vary->setToolTip(
      "A scenario field to vary, as llmsim compare --vary does: each value is "
      "one more case per checked schedule");
  vary->setEnabled(false);
  QObject::connect(vary, &QLineEdit::textChanged, window, on_edit);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(open_button);
  buttons->addWidget(close_button);
  scenario_layout->addWidget(scenario_label);
  scenario_layout->addLayout(buttons);
  scenario_layout->addWidget(vary);
  return scenario_box;
}

// One check box per schedule, in `boxes`.
QGroupBox* methods_group(MainWindow* window, EditSlot on_edit,
                         std::vector<std::pair<ScheduleMethod, QCheckBox*>>& boxes) {
  auto* methods_box = new QGroupBox("Schedules to compare");
  auto* methods_layout = new QVBoxLayout(methods_box);
  const std::pair<ScheduleMethod, const char*> names[] = {
      {ScheduleMethod::kGPipe, "GPipe"},
      {ScheduleMethod::k1F1B, "1F1B"},
      {ScheduleMethod::kInterleaved1F1B, "Interleaved 1F1B"},
      {ScheduleMethod::kZB1P, "ZB1P (ZB-H1)"},
      {ScheduleMethod::kZB2P, "ZB2P (ZB-H2)"},
      {ScheduleMethod::kZBV, "ZB-V"},
      {ScheduleMethod::kDualPipe, "DualPipe"},
      {ScheduleMethod::kDualPipeV, "DualPipeV"},
  };
  for (const auto& [m, label] : names) {
    auto* box = new QCheckBox(label);
    QObject::connect(box, &QCheckBox::toggled, window, on_edit);
    methods_layout->addWidget(box);
    boxes.emplace_back(m, box);
  }
  return methods_box;
}

QLabel* error_label() {
  auto* error = new QLabel;
  error->setWordWrap(true);
  error->setStyleSheet("color: #b00020;");
  error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return error;
}

// The left panel: the given group boxes and the error line, top to bottom.
QWidget* side_panel(const std::vector<QWidget*>& parts) {
  auto* panel = new QWidget;
  auto* panel_layout = new QVBoxLayout(panel);
  for (QWidget* part : parts) panel_layout->addWidget(part);
  panel_layout->addStretch(1);
  panel->setMinimumWidth(250);
  panel->setMaximumWidth(330);
  return panel;
}

QTableView* comparison_table(ComparisonModel* model) {
  auto* table = new QTableView;
  table->setModel(model);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->setSelectionMode(QAbstractItemView::ContiguousSelection);
  return table;
}

// The comparison table and the link utilization, one tab each.
QTabWidget* result_tabs(QWidget* table, QWidget* links) {
  auto* tabs = new QTabWidget;
  tabs->addTab(table, "Figures");
  tabs->addTab(links, "Links");
  tabs->setTabToolTip(0, "The comparison llmsim compare prints: best in green, a plan that "
                         "does not fit in red");
  tabs->setTabToolTip(1, "Per link tier, how long its busiest link is busy over the step and "
                         "the bottleneck tier (llmsim run --links)");
  tabs->setDocumentMode(true);
  return tabs;
}

// Timelines above, the tabs below: the timelines take any extra height; the tabs can be
// dragged smaller or collapsed entirely.
QSplitter* right_splitter(QWidget* timelines, QWidget* table) {
  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(timelines);
  right->addWidget(table);
  right->setStretchFactor(0, 1);
  right->setStretchFactor(1, 0);
  right->setCollapsible(0, false);
  right->setCollapsible(1, true);
  right->setHandleWidth(6);
  return right;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("llmsim: pipeline schedules side by side");
  build_ui();
  build_menus();
  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &MainWindow::start_run);
  watcher_ = new QFutureWatcher<RunOutcome>(this);
  connect(watcher_, &QFutureWatcher<RunOutcome>::finished, this, [this] {
    show_outcome(watcher_->result());
    if (pending_) {
      pending_ = false;
      start_run();
    }
  });
  set_inputs(FormInputs{});
  schedule_run();
}

MainWindow::~MainWindow() { watcher_->waitForFinished(); }

void MainWindow::build_ui() {
  const EditSlot edit = &MainWindow::schedule_run;
  auto* scenario_box = scenario_group(this, edit, scenario_label_, vary_);

  auto* form_box = new QGroupBox("Schedule experiment");
  experiment_box_ = form_box;
  auto* form = new QFormLayout(form_box);
  pp_ = spin_box(this, edit, 1, 4096, "Pipeline ranks (--pp)");
  micro_batches_ = spin_box(this, edit, 1, 1 << 24, "Micro-batches per step (--micro-batches)");
  vpp_ = spin_box(this, edit, 2, 64, "Model chunks per rank, interleaved 1F1B only (--vpp)");
  const QString cost_tip =
      "Microseconds for 1/pp of the model (one 1F1B stage), shared evenly where a schedule "
      "has more stages; or a comma-separated list, one value per stage of the plan";
  f_ = line_edit(this, edit, "", "Forward (--f). " + cost_tip);
  b_ = line_edit(this, edit, "", "Backward for inputs (--b). " + cost_tip);
  w_ = line_edit(this, edit, "", "Weight gradient (--w). " + cost_tip);
  bw_ = line_edit(this, edit, "B+W", "Full backward (--bw); empty: B + W");
  fb_ = line_edit(this, edit, "F+BW", "Overlapped F&B, DualPipe (--fb); empty: F + BW");
  latency_ =
      line_edit(this, edit, "0", "Transfer latency between neighbouring ranks, us (--p2p-latency)");
  form->addRow("pipeline ranks", pp_);
  form->addRow("micro-batches", micro_batches_);
  form->addRow("virtual stages", vpp_);
  form->addRow("F (us)", f_);
  form->addRow("B (us)", b_);
  form->addRow("W (us)", w_);
  form->addRow("BW (us)", bw_);
  form->addRow("F&&B (us)", fb_);
  form->addRow("p2p latency (us)", latency_);

  auto* methods_box = methods_group(this, edit, method_boxes_);
  methods_box_ = methods_box;
  error_ = error_label();
  auto* panel = side_panel({scenario_box, form_box, methods_box, error_});

  timeline_pane_ = new TimelinePane;
  timeline_ = timeline_pane_->timeline();
  connect(timeline_, &TimelineWidget::hovered, this,
          [this](const QString& text) { statusBar()->showMessage(QString(text).replace('\n', "; ")); });

  model_ = new ComparisonModel(this);
  table_ = comparison_table(model_);
  links_ = new LinksWidget;
  tabs_ = result_tabs(table_, links_);
  auto* right = right_splitter(timeline_pane_, tabs_);
  serving_ = new ServingWidget;
  serving_->hide();
  right->insertWidget(0, serving_);
  right_ = right;
  connect(right_, &QSplitter::splitterMoved, this, [this] { user_sized_ = true; });

  auto* main = new QSplitter(Qt::Horizontal);
  main->addWidget(panel);
  main->addWidget(right);
  main->setStretchFactor(1, 1);
  setCentralWidget(main);
  resize(1500, 950);
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu("&File");
  auto add_export = [&](const QString& label, const QString& filter,
                        QString (MainWindow::*fn)(const QString&)) {
    file->addAction(label, this, [this, label, filter, fn] {
      const QString path = QFileDialog::getSaveFileName(this, label, QString(), filter);
      if (path.isEmpty()) return;
      const QString err = (this->*fn)(path);
      if (!err.isEmpty()) QMessageBox::critical(this, "Export failed", err);
      else statusBar()->showMessage("wrote " + path, 5000);
    });
  };
  add_export("Export view as &PNG...", "PNG images (*.png)", &MainWindow::export_png);
  add_export("Export view as &SVG...", "SVG images (*.svg)", &MainWindow::export_svg);
  add_export("Export table as &CSV...", "CSV files (*.csv)", &MainWindow::export_csv);
  add_export("Export Chrome &trace...", "JSON files (*.json)", &MainWindow::export_trace);
  file->addSeparator();
  file->addAction("Open &plan search...", this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this,
        "Plan search store: an `llmsim plan --db` file, or one for the open scenario's search "
        "(an existing file of the same search is read back)",
        QString(),
        "Plan search stores (*.db)", nullptr, QFileDialog::DontConfirmOverwrite);
    if (!path.isEmpty()) open_plan_search(path);
  });
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
  QMenu* view = menuBar()->addMenu("&View");
  view->addAction("&Find ops", QKeySequence::Find, this,
                  [this] { timeline_pane_->search()->setFocus(); });
  view->addAction("&Fit to window", QKeySequence("Ctrl+0"), this,
                  [this] { timeline_->fit_to_window(); });
  view->addAction("Zoom &in", QKeySequence::ZoomIn, this,
                  [this] { timeline_->zoom_at(timeline_->width() / 2.0, 1.5); });
  view->addAction("Zoom &out", QKeySequence::ZoomOut, this,
                  [this] { timeline_->zoom_at(timeline_->width() / 2.0, 1 / 1.5); });
}

PlanWidget* MainWindow::open_plan_search(const QString& db, bool background) {
  if (scenarios_.empty() && !is_plan_results(db.toStdString())) {
    auto* box = new QMessageBox(QMessageBox::Information, "Plan search",
                                "Open a training scenario first: the search covers its plans "
                                "(or open the --db file of an `llmsim plan` run).",
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not modal: tests and --render go on
    return nullptr;
  }
  if (!plan_) {
    plan_ = new PlanWidget(this);
    plan_->setWindowFlag(Qt::Window);
    plan_->resize(1200, 900);
  }
  if (background) {
    plan_->start_search(scenarios_.empty() ? "" : scenarios_.front(), overrides_,
                        db.toStdString());
  } else {
    plan_->search_now(scenarios_.empty() ? "" : scenarios_.front(), overrides_,
                      db.toStdString());
  }
  plan_->show();
  plan_->raise();
  return plan_;
}

void MainWindow::set_inputs(const FormInputs& in) {
  loading_ = true;
  pp_->setValue(in.pp);
  micro_batches_->setValue(in.micro_batches);
  vpp_->setValue(in.vpp);
  f_->setText(QString::fromStdString(in.f));
  b_->setText(QString::fromStdString(in.b));
  w_->setText(QString::fromStdString(in.w));
  bw_->setText(QString::fromStdString(in.bw));
  fb_->setText(QString::fromStdString(in.fb));
  latency_->setText(QString::fromStdString(in.p2p_latency));
  scenarios_ = in.scenarios;
  overrides_ = in.overrides;
  vary_->setText(QString::fromStdString(in.vary));
  vary_->setEnabled(!scenarios_.empty());
  experiment_box_->setEnabled(scenarios_.empty());
  if (scenarios_.empty()) {
    scenario_label_->setText("none: a schedule experiment set by hand below");
  } else {
    QStringList names;
    for (const auto& f : scenarios_) names << QString::fromStdString(f);
    scenario_label_->setText(names.join("\n"));
  }
  for (auto& [m, box] : method_boxes_) {
    box->setChecked(std::find(in.methods.begin(), in.methods.end(), m) != in.methods.end());
  }
  loading_ = false;
  schedule_run();
}

FormInputs MainWindow::inputs() const {
  FormInputs in;
  in.pp = pp_->value();
  in.micro_batches = micro_batches_->value();
  in.vpp = vpp_->value();
  in.f = f_->text().toStdString();
  in.b = b_->text().toStdString();
  in.w = w_->text().toStdString();
  in.bw = bw_->text().trimmed().toStdString();
  in.fb = fb_->text().trimmed().toStdString();
  in.p2p_latency = latency_->text().trimmed().toStdString();
  in.methods.clear();
  for (const auto& [m, box] : method_boxes_) {
    if (box->isChecked()) in.methods.push_back(m);
  }
  in.scenarios = scenarios_;
  in.overrides = overrides_;
  in.vary = vary_->text().trimmed().toStdString();
  return in;
}

void MainWindow::schedule_run() {
  if (!loading_) debounce_->start();
}

bool MainWindow::busy() const { return watcher_->isRunning() || pending_ || debounce_->isActive(); }

void MainWindow::start_run() {
  if (watcher_->isRunning()) {
    pending_ = true;  // the newest inputs run once this one is done
    return;
  }
  statusBar()->showMessage("simulating...");
  watcher_->setFuture(QtConcurrent::run(run_outcome, inputs()));
}

void MainWindow::run_now() {
  debounce_->stop();
  watcher_->waitForFinished();
  pending_ = false;
  show_outcome(run_outcome(inputs()));
}

void MainWindow::show_outcome(RunOutcome outcome) {
  if (!outcome.error.empty()) {
    // Refused: the message names the field as the CLI does; the last good view stays.
    error_->setText(QString::fromStdString(outcome.error));
    statusBar()->showMessage("inputs refused: " + QString::fromStdString(outcome.error));
    emit results_shown();
    return;
  }
  error_->clear();
  const bool serving = !outcome.serving.empty();
  serving_->setVisible(serving);
  timeline_pane_->setVisible(!serving);
  tabs_->setVisible(!serving);
  methods_box_->setVisible(!serving);
  if (serving) {
    serving_->set_curves(std::move(outcome.serving));
    statusBar()->showMessage("ready", 3000);
    emit results_shown();
    return;
  }
  links_->set_links(outcome.comparison.cases, std::move(outcome.links));
  model_->set_comparison(std::move(outcome.comparison));
  timeline_->set_cases(std::move(outcome.cases));
  if (!user_sized_) {
    size_table();
    QTimer::singleShot(0, this, [this] {
      if (!user_sized_) size_table();  // again once the window is laid out
    });
  }
  statusBar()->showMessage("ready", 3000);
  emit results_shown();
}

void MainWindow::size_table() {
  const int room = right_->height() - right_->handleWidth();
  if (room <= 0 || serving_->isVisible()) return;
  const int table_h = std::min(tabs_height(), room * 2 / 5);
  right_->setSizes({0, room - table_h, table_h});
}

int MainWindow::tabs_height() const {
  return tabs_->tabBar()->sizeHint().height() +
         std::max(table_height(table_, model_->rowCount()), links_->content_height());
}

QString MainWindow::error_text() const { return error_->text(); }

QString MainWindow::open_scenario(const QString& path) {
  try {
    const Scenario s = load_scenario(path.toStdString(), overrides_, default_data_dir());
    FormInputs in = inputs();
    in.scenarios = {path.toStdString()};
    if (s.workload == WorkloadKind::kTraining) in.methods = {s.plan.schedule};
    set_inputs(in);
    statusBar()->showMessage("opened " + path, 5000);
    return {};
  } catch (const std::exception& e) {
    const QString msg = QString::fromStdString(e.what());
    auto* box = new QMessageBox(QMessageBox::Critical, "Cannot open scenario", msg,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not modal to the event loop: the app keeps running
    return msg;
  }
}

void MainWindow::close_scenarios() {
  FormInputs in = inputs();
  in.scenarios.clear();
  in.vary.clear();
  set_inputs(in);
}

namespace {

int table_height(const QTableView* t, int rows) {
  // The rows' laid-out height where the view has laid them out, else the default per row.
  const int laid_out = t->verticalHeader()->count() == rows ? t->verticalHeader()->length() : 0;
  const int body = laid_out > 0 ? laid_out : rows * t->verticalHeader()->defaultSectionSize();
  return t->horizontalHeader()->sizeHint().height() + body + 2 * t->frameWidth() + 4;
}

}  // namespace

int MainWindow::content_height() const {
  if (serving_->isVisible()) {
    return menuBar()->sizeHint().height() + statusBar()->sizeHint().height() +
           serving_->minimumHeight() + 8;
  }
  const int timeline_h = timeline_pane_->preferred_height() + 4;
  return menuBar()->sizeHint().height() + statusBar()->sizeHint().height() + timeline_h +
         tabs_height() + right_->handleWidth() + 8;
}

void MainWindow::fit_splitter_to_content() {
  if (serving_->isVisible()) return;  // the serving view is the splitter's only visible part
  size_table();
}

namespace {

QString write_text(const QString& path, const std::string& text) {
  try {
    write_file_atomically(path.toStdString(), text);
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

QString MainWindow::export_png(const QString& path) {
  const QImage image = grab().toImage();
  if (image.isNull() || !image.save(path, "PNG")) return path + ": cannot write the PNG";
  return {};
}

QString MainWindow::export_svg(const QString& path) {
  const double width = std::max(timeline_->width(), 1000);
  const double height =
      timeline_->layout().height_px() + legend_height_px(width - timeline_->layout().metrics().label_px) + 4;
  QSvgGenerator gen;
  const QString tmp = path + ".llmsim-tmp";
  gen.setFileName(tmp);
  gen.setSize(QSize(static_cast<int>(width), static_cast<int>(height)));
  gen.setViewBox(QRectF(0, 0, width, height));
  gen.setTitle("llmsim pipeline timelines");
  {
    QPainter p;
    if (!p.begin(&gen)) return path + ": cannot write the SVG";
    const double left = timeline_->layout().metrics().label_px;
    paint_timelines(p, timeline_->cases(), timeline_->layout(), timeline_->axis(), width);
    paint_legend(p, left, timeline_->layout().height_px(), width - left);
  }
  std::error_code ec;
  std::filesystem::rename(tmp.toStdString(), path.toStdString(), ec);
  if (ec) {
    std::filesystem::remove(tmp.toStdString(), ec);
    return path + ": cannot write the SVG";
  }
  return {};
}

QString MainWindow::export_csv(const QString& path) {
  return write_text(path, comparison_csv(model_->comparison()));
}

QString MainWindow::export_trace(const QString& path) {
  ChromeTrace trace;
  const auto& cases = timeline_->cases();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    add_pipeline_to_trace(trace, static_cast<int>(i), cases[i].title, cases[i].plan,
                          cases[i].result);
  }
  return write_text(path, trace.text() + "\n");
}

}  // namespace llmsim::gui
