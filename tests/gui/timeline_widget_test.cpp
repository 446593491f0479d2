// Timeline widget tests: three DeepSeek-V3 schedules in the main window at 1600x1000, the
// hover tooltip and arrows, the tools, and the time one paint of a 10,000 micro-batch x
// 64 rank schedule takes, headless on Qt's offscreen platform.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <QApplication>
#include <QCheckBox>
#include <QImage>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QSplitter>
#include <QTest>

#include "gui/main_window.hpp"
#include "gui/timeline_pane.hpp"
#include "gui/timeline_widget.hpp"
#include "sim/pipeline/schedules/schedule.hpp"
#include "tests/gui/window_helpers.hpp"

using namespace llmsim;
using namespace llmsim::gui;

namespace {

// The middle of the op `index` of `rank` of case `c`, in widget coordinates.
QPoint op_point(const TimelineWidget& t, int c, int rank, std::size_t index) {
  const auto row = t.layout().row_of(c, rank);
  REQUIRE(row);
  const OpTiming& op = t.cases()[c].result.timing[rank][index];
  const double x = t.axis().to_px((op.start.us() + op.end.us()) / 2);
  return QPoint(static_cast<int>(x), static_cast<int>(row->top_px + t.layout().metrics().row_px / 2));
}

}  // namespace

TEST_CASE("MainWindow: three DeepSeek-V3 schedules all in view at 1600x1000, hover tooltip",
          "[gui][widget][scenario]") {
  MainWindow w;
  gui::test::show_scenario(w, QString(LLMSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain.yaml");
  FormInputs in = w.inputs();
  in.methods = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P, ScheduleMethod::kDualPipe};
  w.set_inputs(in);
  w.run_now();
  REQUIRE(w.error_text().isEmpty());
  QApplication::processEvents();
  TimelineWidget* t = w.timeline();
  REQUIRE(t->cases().size() == 3);
  // Every row of all three PP16 timelines lies inside the widget, and the widget inside
  // the window.
  REQUIRE(t->layout().rows().size() == 48);
  const QRect in_window(t->mapTo(&w, QPoint(0, 0)), t->size());
  CHECK(w.rect().contains(in_window));
  const auto& last = t->layout().rows().back();
  CHECK(last.top_px + t->layout().metrics().row_px <= t->height());
  CHECK(t->layout().metrics().row_px >= 6.0);
  // The timelines get most of the height; the table keeps its rows.
  CHECK(t->height() > 600);
  // Hover the middle op of DualPipe's rank 0: the tooltip names it with its duration, and
  // the arrows reach the ops it waits for and that wait for it.
  const std::size_t mid = t->cases()[2].plan.ops[0].size() / 2;
  QTest::mouseMove(t, op_point(*t, 2, 0, mid));
  QApplication::processEvents();
  const QString tip = t->tooltip_text();
  INFO(tip.toStdString());
  CHECK(tip.contains("rank 0"));
  CHECK(tip.contains("duration"));
  CHECK(tip.contains("micro-batch"));
  CHECK(tip.contains("compute"));  // a training step: its compute / communication breakdown
  CHECK_FALSE(t->marks().arrows.empty());
  CHECK(t->marks().arrows_case == 2);
  // The tools: critical path, search, fold.
  w.timeline_pane()->critical_path()->setChecked(true);
  CHECK(t->marks().critical.size() == 3);
  w.timeline_pane()->search()->setText("F 3");
  CHECK(t->marks().matches.size() == 3);
  CHECK(t->set_search("F 3") > 0);
  // The legend, wrapped, fits below the rows.
  CHECK(t->layout().height_px() + legend_height_px(t->width() - t->layout().metrics().label_px) <=
        t->height());
  if (const char* shot = std::getenv("LLMSIM_GUI_SCREENSHOT")) {
    // Zoomed 5x around DualPipe's rank 3 middle op, hovered, with a range measured.
    w.timeline_pane()->search()->clear();
    const OpTiming& op = t->cases()[2].result.timing[3][mid];
    t->zoom_at(t->axis().to_px(op.start.us()), 5.0);
    t->measure(t->axis().to_px(op.start.us()), t->axis().to_px(op.start.us() + 1e6));
    QTest::mouseMove(t, op_point(*t, 2, 3, mid));
    QApplication::processEvents();
    CHECK(w.grab().save(shot));
  }
  t->set_folded(0, true);
  CHECK(t->layout().rows().size() == 33);
  t->hide_rank(1, 5);
  CHECK(t->layout().rows().size() == 32);
  if (const char* shot = std::getenv("LLMSIM_GUI_SCREENSHOT_FOLDED")) {
    w.timeline_pane()->search()->setText("F 3");
    QApplication::processEvents();
    CHECK(w.grab().save(shot));
  }
  t->show_all_rows();
  CHECK(t->layout().rows().size() == 48);
}

TEST_CASE("TimelineWidget: keys zoom and pan, drag pans, shift+drag measures", "[gui][widget]") {
  MainWindow w;
  w.resize(1400, 900);
  w.show();
  w.run_now();
  QApplication::processEvents();
  TimelineWidget* t = w.timeline();
  const double scale = t->axis().px_per_us();
  QTest::keyClick(t, Qt::Key_W);
  CHECK(t->axis().px_per_us() == Approx(scale * 1.25));
  QTest::keyClick(t, Qt::Key_S);
  CHECK(t->axis().px_per_us() == Approx(scale));
  const double start = t->axis().start_us();
  QTest::keyClick(t, Qt::Key_D);
  CHECK(t->axis().start_us() > start);
  QTest::keyClick(t, Qt::Key_A);
  CHECK(t->axis().start_us() == Approx(start));
  // Drag 100 px to the right: earlier time shows.
  const int y = static_cast<int>(t->layout().rows()[0].top_px + 3);
  QTest::mousePress(t, Qt::LeftButton, Qt::NoModifier, QPoint(500, y));
  QMouseEvent move(QEvent::MouseMove, QPointF(600, y), t->mapToGlobal(QPointF(600, y)),
                   Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(t, &move);
  QTest::mouseRelease(t, Qt::LeftButton, Qt::NoModifier, QPoint(600, y));
  CHECK(t->axis().start_us() == Approx(start - 100 / scale));
  // Shift+drag from x = 300 to x = 500: 200 px measured.
  QTest::mousePress(t, Qt::LeftButton, Qt::ShiftModifier, QPoint(300, y));
  QMouseEvent drag(QEvent::MouseMove, QPointF(500, y), t->mapToGlobal(QPointF(500, y)),
                   Qt::NoButton, Qt::LeftButton, Qt::ShiftModifier);
  QApplication::sendEvent(t, &drag);
  QTest::mouseRelease(t, Qt::LeftButton, Qt::ShiftModifier, QPoint(500, y));
  REQUIRE(t->marks().measure);
  CHECK(t->marks().measure->duration_us() == Approx(200 / scale));
}

TEST_CASE("TimelineWidget: one paint of a 10,000 micro-batch x 64 rank schedule",
          "[gui][widget][perf]") {
  const PipelinePlan plan = make_schedule({ScheduleMethod::k1F1B, 64, 10000, 1});
  ExperimentCase c;
  c.plan = plan;
  c.result = run_pipeline(plan, PipelineCosts{});
  c.title = "1F1B PP=64, 10,000 micro-batches";
  c.summary = summarize_case(c.plan, c.costs, c.result);
  const std::vector<ExperimentCase> cases{c};
  const double width = 1600, height = 1000;
  const LayoutMetrics m = fit_rows(LayoutMetrics{}, 1, 64, height - 60, 22);
  const TimelineLayout layout(std::vector<CaseRows>{CaseRows{64, false, {}}}, m);
  QImage image(static_cast<int>(width), static_cast<int>(height),
               QImage::Format_ARGB32_Premultiplied);
  TimelineMarks marks;
  marks.critical.push_back(critical_flags(c));
  // Frames: the whole step (every op below a pixel), then 20 pan steps at 100x zoom.
  const TimeAxis fitted = TimeAxis::fit(m.label_px, width - m.label_px - 8, 0,
                                        c.result.makespan.us());
  std::vector<double> frames_ms;
  TimeAxis axis = fitted;
  for (int frame = 0; frame < 24; ++frame) {
    if (frame == 3) axis = fitted.zoomed(width / 2, 100.0);
    if (frame > 3) axis = axis.panned(-40);
    const auto t0 = std::chrono::steady_clock::now();
    QPainter p(&image);
    paint_timelines(p, cases, layout, axis, width, marks);
    p.end();
    frames_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double fitted_ms = *std::min_element(frames_ms.begin(), frames_ms.begin() + 3);
  std::vector<double> pan(frames_ms.begin() + 3, frames_ms.end());
  std::sort(pan.begin(), pan.end());
  const double pan_median = pan[pan.size() / 2];
  std::printf("paint 10,000 x 64 (%zu ops) at 1600x1000: whole step %.1f ms, panning at 100x "
              "zoom median %.1f ms, slowest %.1f ms\n",
              plan.total_ops(), fitted_ms, pan_median, pan.back());
  CHECK(fitted_ms < 50.0);
  CHECK(pan_median < 50.0);
}
