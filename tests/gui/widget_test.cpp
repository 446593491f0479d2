// Widget tests of llmsim-gui, run headless on Qt's offscreen platform.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <cstdio>

#include <nlohmann/json.hpp>
#include <QApplication>
#include <QMessageBox>
#include <QCheckBox>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "gui/comparison_model.hpp"
#include "gui/main_window.hpp"
#include "gui/serving_widget.hpp"
#include "gui/timeline_widget.hpp"
#include "tests/gui/window_helpers.hpp"

using namespace llmsim;
using namespace llmsim::gui;
using namespace llmsim::gui::test;

namespace {

QCheckBox* method_box(MainWindow& w, const QString& label) {
  for (QCheckBox* b : w.findChildren<QCheckBox*>()) {
    if (b->text() == label) return b;
  }
  FAIL("no check box " << label.toStdString());
  return nullptr;
}

bool wait_results(MainWindow& w) {
  QSignalSpy spy(&w, &MainWindow::results_shown);
  return spy.wait(20000);
}

}  // namespace

TEST_CASE("MainWindow: runs in the background and fills the table", "[gui][widget]") {
  MainWindow w;
  w.resize(1400, 900);
  w.show();
  REQUIRE(wait_results(w));  // the default experiment runs off the GUI thread
  CHECK(w.comparison()->columnCount() == 3);
  // Changing the schedule set re-runs: add DualPipeV.
  method_box(w, "DualPipeV")->setChecked(true);
  REQUIRE(wait_results(w));
  CHECK(w.comparison()->columnCount() == 4);
  CHECK(w.comparison()->headerData(3, Qt::Horizontal, Qt::DisplayRole).toString() == "dualpipev");
  // The table shows the same makespans as run_experiment on the same inputs.
  const auto cases = run_experiment(experiment_from_form(w.inputs()));
  for (int c = 0; c < 4; ++c) {
    CHECK(w.comparison()->data(w.comparison()->index(0, c), Qt::UserRole).toDouble() ==
          cases[c].summary.makespan_us);
  }
  CHECK(w.timeline()->cases().size() == 4);
}

TEST_CASE("MainWindow: invalid inputs are refused with the CLI's message", "[gui][widget]") {
  MainWindow w;
  FormInputs in;
  in.methods = {ScheduleMethod::kDualPipe};
  in.pp = 8;
  w.set_inputs(in);
  w.run_now();
  REQUIRE(w.error_text().isEmpty());
  in.pp = 7;
  w.set_inputs(in);
  w.run_now();
  CHECK(w.error_text() == "pp = 7: DualPipe needs an even pipeline size");
  // The last good results stay on screen.
  CHECK(w.timeline()->cases().size() == 1);
  CHECK(w.timeline()->cases()[0].plan.pp == 8);
  in.pp = 8;
  in.f = "abc";
  w.set_inputs(in);
  w.run_now();
  // The CLI's own message (llmsim schedule --f abc).
  CHECK(w.error_text() ==
        "--f = 'abc': expected a duration such as 2ms (units: ns, us, ms, s; a bare number is in us)");
}

TEST_CASE("MainWindow: exports and hover text", "[gui][widget]") {
  MainWindow w;
  w.resize(1400, 900);
  w.show();
  w.run_now();
  QTemporaryDir dir;
  REQUIRE(dir.isValid());
  const QString png = dir.filePath("view.png");
  const QString svg = dir.filePath("view.svg");
  const QString csv = dir.filePath("table.csv");
  const QString trace = dir.filePath("trace.json");
  CHECK(w.export_png(png).isEmpty());
  CHECK(w.export_svg(svg).isEmpty());
  CHECK(w.export_csv(csv).isEmpty());
  CHECK(w.export_trace(trace).isEmpty());
  const QImage image(png);
  CHECK(image.width() == 1400);
  CHECK(image.height() == 900);
  std::ifstream in(csv.toStdString());
  std::string header;
  std::getline(in, header);
  CHECK(header == "metric,1f1b,zb1p,dualpipe");
  std::ifstream s(svg.toStdString());
  std::stringstream svg_text;
  svg_text << s.rdbuf();
  CHECK(svg_text.str().find("<svg") != std::string::npos);
  CHECK(std::filesystem::file_size(trace.toStdString()) > 1000);
  // A failed export says so and leaves nothing behind.
  CHECK_FALSE(w.export_csv(dir.filePath("no/such/dir/t.csv")).isEmpty());

  // Hovering rank 0's first forward of the first case names it.
  TimelineWidget* t = w.timeline();
  const auto& row0 = t->layout().rows()[0];
  const double x = t->axis().to_px(0.5);
  const QString text = t->describe_at(x, row0.top_px + 5);
  CHECK(text.contains("F micro-batch 0, stage 0, direction 0"));
  CHECK(text.contains("start 0 us, duration 1 us, end 1 us"));
  CHECK(t->describe_at(5, row0.top_px + 5).isEmpty());
}

TEST_CASE("TimelineWidget: wheel zoom and fit", "[gui][widget]") {
  MainWindow w;
  w.resize(1400, 900);
  w.show();
  w.run_now();
  TimelineWidget* t = w.timeline();
  const double scale = t->axis().px_per_us();
  t->zoom_at(500, 2.0);
  CHECK(t->axis().px_per_us() == Approx(2 * scale));
  t->fit_to_window();
  CHECK(t->axis().px_per_us() == Approx(scale));
}

namespace {

const std::string kSource = LLMSIM_SOURCE_DIR;

}  // namespace

TEST_CASE("MainWindow: a scenario's schedules side by side, as llmsim run costs them",
          "[gui][widget][scenario]") {
  MainWindow w;
  w.resize(1400, 1000);
  w.show();
  const QString file = QString::fromStdString(kSource + "/scenarios/deepseek-v3-pretrain.yaml");
  REQUIRE(w.open_scenario(file).isEmpty());
  w.run_now();
  REQUIRE(w.error_text().isEmpty());
  ComparisonModel* m = w.comparison();
  REQUIRE(m->columnCount() == 1);  // the scenario's own schedule, DualPipe
  CHECK(m->headerData(0, Qt::Vertical, Qt::DisplayRole).toString() == "step time (s)");
  // Add 1F1B: a second column, off the GUI thread.
  method_box(w, "1F1B")->setChecked(true);
  REQUIRE(wait_results(w));
  REQUIRE(m->columnCount() == 2);
  // The table's step times are the CLI's for the same scenario and schedule.
  const auto dual = nlohmann::json::parse(
      run_cli("run " + file.toStdString() + " --json"));
  const auto f1b = nlohmann::json::parse(
      run_cli("run " + file.toStdString() + " --set parallelism.schedule=1f1b --json"));
  // Columns follow the check boxes' order: 1F1B, then DualPipe.
  CHECK(m->data(m->index(0, 0), Qt::UserRole).toDouble() == f1b["step_time_s"].get<double>());
  CHECK(m->data(m->index(0, 1), Qt::UserRole).toDouble() == dual["step_time_s"].get<double>());
  CHECK(m->data(m->index(5, 1), Qt::UserRole).toDouble() ==
        Approx(dual["total_cost_usd"].get<double>()));
  // The timelines show both steps, and the view renders.
  CHECK(w.timeline()->cases().size() == 2);
  QTemporaryDir dir;
  CHECK(w.export_png(dir.filePath("s.png")).isEmpty());
  CHECK(QImage(dir.filePath("s.png")).width() == 1400);
}

TEST_CASE("MainWindow: a malformed scenario gets an error dialog, not a crash",
          "[gui][widget][scenario]") {
  MainWindow w;
  QTemporaryDir dir;
  const QString bad = dir.filePath("bad.yaml");
  {
    std::ofstream out(bad.toStdString());
    out << "name: x\nmodel: deepseek-v3\ncluster: h800\nparallelism:\n  pp: 16\n  shedule: 1f1b\n";
  }
  const QString err = w.open_scenario(bad);
  CHECK(err.contains("bad.yaml:6"));
  CHECK(err.contains("parallelism.shedule"));
  CHECK(err.contains("did you mean 'schedule'"));
  bool shown = false;
  for (QMessageBox* box : w.findChildren<QMessageBox*>()) {
    shown = shown || box->text() == err;
  }
  CHECK(shown);
  CHECK(w.inputs().scenarios.empty());  // nothing was loaded
}

TEST_CASE("MainWindow: a serving scenario shows latency distributions and capacity, as llmsim serve",
          "[gui][widget]") {
  MainWindow w;
  w.resize(1400, 900);
  w.show();
  const std::string file = kSource + "/scenarios/llama-3.1-70b-serving.yaml";
  FormInputs in = w.inputs();
  in.overrides = {"serving.traffic.requests=2000"};
  in.vary = "serving.traffic.requests_per_s=2,4";
  w.set_inputs(in);
  REQUIRE(w.open_scenario(QString::fromStdString(file)).isEmpty());
  in = w.inputs();
  in.vary = "serving.traffic.requests_per_s=2,4";
  w.set_inputs(in);
  w.run_now();
  REQUIRE(w.error_text().isEmpty());
  REQUIRE(w.serving()->isVisible());
  CHECK_FALSE(w.timeline()->isVisible());
  const auto& curves = w.serving()->curves();
  REQUIRE(curves.size() == 2);
  CHECK(curves[0].ttft_s.size() == 2000);
  // The same figures as the CLI for the same case.
  const auto cli = nlohmann::json::parse(run_cli(
      "serve " + file + " --json --set serving.traffic.requests=2000 --set serving.traffic.requests_per_s=4"));
  CHECK(curves[1].decode_per_node == Approx(cli["decode_output_tokens_per_s_per_node"].get<double>()));
  CHECK(curves[1].nodes_for_daily_volume == Approx(cli["nodes_for_daily_volume"].get<double>()));
  // Twice the load: a slower first token at the median.
  CHECK(curves[1].ttft_s[1000] > curves[0].ttft_s[1000]);
}
