// The plan-search window, headless: a plan db written by the library's search on a tiny space,
// read back and plotted; the plot's points and front are the library's; a click on a front
// point shows that plan's step and breakdown.
#include <catch2/catch.hpp>

#include <filesystem>

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "gui/main_window.hpp"
#include "gui/plan_widget.hpp"
#include "gui/timeline_widget.hpp"
#include "tests/gui/plan_fixture.hpp"

using namespace llmsim;
using namespace llmsim::gui;

TEST_CASE("PlanWidget: a plan db on a plot, a click on the front shows that plan",
          "[gui][widget][plan]") {
  const std::string src = LLMSIM_SOURCE_DIR;
  const Scenario s = load_scenario(src + "/tests/data/plan/llama-8b-plan.yaml", {},
                                   src + "/scenarios");
  const auto db = std::filesystem::temp_directory_path() / "llmsim_gui_plan_widget_test.db";
  std::filesystem::remove(db);
  const PlanSearchView written = search_plans(s, "t", test::tiny_space(), db.string());
  PlanSearchView read = search_plans(s, "t", test::tiny_space(), db.string());
  REQUIRE(read.new_outcomes == 0);  // every row read back from the db
  const auto front = plan::pareto_front(read.candidates, read.outcomes, {});
  REQUIRE(front.size() >= 2);

  PlanWidget w;
  w.resize(1200, 900);
  w.show();
  w.set_view(std::move(read));
  QApplication::processEvents();
  CHECK(static_cast<std::size_t>(w.plans_series()->count() + w.front_series()->count()) ==
        written.points.size());
  REQUIRE(static_cast<std::size_t>(w.front_series()->count()) == front.size());
  CHECK_FALSE(w.selected());

  // A press where the scene has no item (Qt Charts 6.4 crashed on it) does nothing.
  QTest::mouseClick(w.chart_view()->viewport(), Qt::LeftButton, {}, QPoint(5, -100000));
  QApplication::processEvents();
  CHECK_FALSE(w.selected());

  // Click the second front point where the chart draws it.
  const std::size_t pick = front[1];
  const auto& e = w.view().outcomes[pick]->eval;
  const QPointF at = w.chart_view()->chart()->mapToPosition(
      QPointF(e.days(), plot_usd(e.cost_usd)), w.front_series());
  const QPoint px = w.chart_view()->mapFromScene(at);
  REQUIRE(w.chart_view()->viewport()->rect().contains(px));
  QTest::mouseClick(w.chart_view()->viewport(), Qt::LeftButton, {}, px);
  QApplication::processEvents();
  REQUIRE(w.selected());
  CHECK(*w.selected() == pick);
  const plan::Candidate& c = w.view().candidates[pick];
  REQUIRE(w.timeline()->cases().size() == 1);
  CHECK(w.timeline()->cases().front().plan.pp == c.plan.pp);
  CHECK(w.timeline()->cases().front().title.find(plan_title(c)) == 0);
  const QString text = w.breakdown_text();
  CHECK(text.contains(QString::fromStdString(plan_title(c))));
  CHECK(text.contains(QString("step %1 s").arg(e.step_time_s, 0, 'f', 3)));
  CHECK(text.contains("bubble"));
  CHECK(text.contains(QString("%1 days").arg(e.days(), 0, 'f', 2)));
  std::filesystem::remove(db);
}

TEST_CASE("MainWindow: a plan search needs a training scenario", "[gui][widget][plan]") {
  MainWindow w;
  w.show();
  CHECK(w.open_plan_search("") == nullptr);  // a message box says why, no window
}

TEST_CASE("MainWindow: the open scenario's plan search, off the GUI thread, then read back",
          "[gui][widget][plan]") {
  const std::string src = LLMSIM_SOURCE_DIR;
  MainWindow w;
  REQUIRE(w.open_scenario(QString::fromStdString(src + "/tests/data/plan/llama-8b-plan.yaml"))
              .isEmpty());
  QTemporaryDir dir;
  const QString db = dir.filePath("plan.db");
  PlanWidget* p = w.open_plan_search(db);
  REQUIRE(p != nullptr);
  QSignalSpy shown(p, &PlanWidget::search_shown);
  REQUIRE(shown.wait(120000));
  REQUIRE(p->error_text().isEmpty());
  const std::size_t n = p->view().candidates.size();
  CHECK(p->view().new_outcomes == n);
  CHECK(p->view().front.size() >= 2);
  CHECK(static_cast<std::size_t>(p->front_series()->count()) == p->view().front.size());
  // The same file again: every row read back, the same front.
  const auto front = p->view().front;
  CHECK(w.open_plan_search(db, false) == p);
  CHECK(p->view().from_store == n);
  CHECK(p->view().new_outcomes == 0);
  CHECK(p->view().front == front);
}
