// The main window's comparison against `llmsim compare --json`, driven as a user drives it:
// open DeepSeek-V3's scenario, tick 1F1B, ZB1P and DualPipe, vary a field, hover an op.
// Saves the window (1600 x 1000) as a screenshot: under the build directory, and as
// docs/gui-compare.png when LLMSIM_UPDATE_SCREENSHOT=1.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>
#include <QApplication>
#include <QBrush>
#include <QCheckBox>
#include <QFont>
#include <QImage>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>
#include <QToolTip>

#include "gui/comparison_model.hpp"
#include "gui/main_window.hpp"
#include "gui/timeline_widget.hpp"
#include "tests/gui/window_helpers.hpp"

using namespace llmsim;
using namespace llmsim::gui;
using namespace llmsim::gui::test;

namespace {

const std::string kScenario = std::string(LLMSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain.yaml";
// Experts over 16 GPUs instead of 64: four times the expert weights per GPU. 1F1B and ZB1P
// still fit in the H800's 80 GB (74.5 GiB); DualPipe, which holds two copies of its
// parameters, does not, though its step is the fastest.
const std::string kVary = "parallelism.ep=16";



void type_vary(MainWindow& w, const std::string& text) {
  for (QLineEdit* e : w.findChildren<QLineEdit*>()) {
    if (e->placeholderText().startsWith("vary:")) {
      e->setText(QString::fromStdString(text));
      return;
    }
  }
  FAIL("no vary field");
}


// Every figure of the window's table against the CLI's JSON for the same cases.
void check_table_against_cli(const ComparisonModel& m, const nlohmann::json& cli) {
  const Comparison& c = m.comparison();
  REQUIRE(cli.size() == c.cases.size());
  for (std::size_t col = 0; col < c.cases.size(); ++col) {
    INFO("case " << c.cases[col] << " / " << cli[col]["case"].get<std::string>());
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
      const std::string& key = c.rows[r].key;
      INFO(key);
      REQUIRE(cli[col].contains(key));
      const QVariant v = m.data(m.index(static_cast<int>(r), static_cast<int>(col)), Qt::UserRole);
      CHECK(v.toDouble() == cli[col][key].get<double>());
      CHECK((std::find(cli[col]["best"].begin(), cli[col]["best"].end(), key) !=
             cli[col]["best"].end()) == c.rows[r].best[col]);
    }
    CHECK(c.memory[col].fits == cli[col]["fits"].get<bool>());
    CHECK(c.memory[col].over_gib() == cli[col]["memory_over_gib"].get<double>());
  }
}

}  // namespace

TEST_CASE("MainWindow: the comparison table is llmsim compare's, a plan that does not fit in red",
          "[gui][widget][scenario][compare]") {
  MainWindow w;
  show_scenario(w, QString::fromStdString(kScenario));  // ticks DualPipe
  tick(w, "1F1B");
  tick(w, "ZB1P (ZB-H1)");
  type_vary(w, kVary);
  wait_idle(w);
  REQUIRE(w.error_text().isEmpty());
  const ComparisonModel& m = *w.comparison();
  REQUIRE(m.columnCount() == 3);  // 1F1B, ZB1P, DualPipe

  const auto cli = nlohmann::json::parse(run_cli(
      "compare " + kScenario + " --vary parallelism.schedule=1f1b,zb1p,dualpipe --vary " + kVary +
      " --json"));
  check_table_against_cli(m, cli);

  // The plans that do not fit: red, with how much over, never best.
  const Comparison& c = m.comparison();
  int unfit = 0;
  for (int col = 0; col < m.columnCount(); ++col) {
    if (c.memory[static_cast<std::size_t>(col)].fits) continue;
    ++unfit;
    const QString header = m.headerData(col, Qt::Horizontal, Qt::DisplayRole).toString();
    CHECK(header.contains(" over "));
    CHECK(m.headerData(col, Qt::Horizontal, Qt::ForegroundRole).value<QBrush>().color() ==
          QColor("#b00020"));
    for (int r = 0; r < m.rowCount(); ++r) {
      CHECK_FALSE(m.data(m.index(r, col), Qt::FontRole).value<QFont>().bold());
    }
  }
  CHECK(unfit == 1);
  CHECK_FALSE(c.memory[2].fits);  // DualPipe
  // DualPipe's step is the fastest, but ZB1P's is the best that fits.
  const ComparisonRow& step = c.row("step_time_s");
  CHECK(*step.values[2] < *step.values[1]);
  CHECK(step.best == std::vector<bool>{false, true, false});

  // Numbers for people: separators, no exponents, units in the row headers.
  for (int r = 0; r < m.rowCount(); ++r) {
    const char* unit = figure_unit_label(c.rows[static_cast<std::size_t>(r)].unit);
    CHECK(m.headerData(r, Qt::Vertical, Qt::DisplayRole).toString().contains(unit));
    for (int col = 0; col < m.columnCount(); ++col) {
      const QString text = m.data(m.index(r, col), Qt::DisplayRole).toString();
      CHECK_FALSE(text.contains("e+"));
      CHECK_FALSE(text.contains("e-"));
    }
  }
  const int cost_row = static_cast<int>(&c.row("total_cost_usd") - c.rows.data());
  CHECK(m.data(m.index(cost_row, 0), Qt::DisplayRole).toString().count(',') >= 2);

  // Hovering an op of the first case's rank 0 names it in the tooltip and the status bar.
  TimelineWidget* t = w.timeline();
  QApplication::processEvents();
  const OpTiming& first = t->cases()[0].result.timing[0][0];
  const QPoint at(static_cast<int>(t->axis().to_px((first.start.us() + first.end.us()) / 2)),
                  static_cast<int>(t->layout().rows()[0].top_px + t->layout().metrics().row_px / 4));
  REQUIRE_FALSE(t->describe_at(at.x(), at.y()).isEmpty());
  QTest::mouseMove(t, at);
  QApplication::processEvents();
  const QString tip = QToolTip::text();
  INFO(tip.toStdString());
  CHECK(tip.contains("rank 0"));
  CHECK(tip.contains("micro-batch 0"));
  CHECK(w.statusBar()->currentMessage().contains("micro-batch 0"));

  // The window as it is: three schedules' timelines, the legend, the table.
  const QString png = QString(LLMSIM_BINARY_DIR) + "/gui-compare.png";
  REQUIRE(w.export_png(png).isEmpty());
  const QImage image(png);
  CHECK(image.width() == 1600);
  CHECK(image.height() == 1000);
  if (std::getenv("LLMSIM_UPDATE_SCREENSHOT") != nullptr) {
    REQUIRE(image.save(QString(LLMSIM_SOURCE_DIR) + "/docs/gui-compare.png"));
  }
}
