// The main window's Links tab against `llmsim run --json`'s "links" for the same cases, driven
// as a user drives it: open DeepSeek-V3's scenario (2,048 H800s; its expert all-to-all crosses
// the NICs and the fat tree), tick 1F1B beside DualPipe, show the Links tab.
// Saves the window (1600 x 1000) as a screenshot: under the build directory, and as
// docs/gui-links.png when LLMSIM_UPDATE_SCREENSHOT=1.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>
#include <QApplication>
#include <QBrush>
#include <QCheckBox>
#include <QColor>
#include <QFont>
#include <QHeaderView>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>

#include "gui/links_model.hpp"
#include "gui/links_widget.hpp"
#include "gui/main_window.hpp"
#include "tests/gui/window_helpers.hpp"

using namespace llmsim;
using namespace llmsim::gui;
using namespace llmsim::gui::test;

namespace {

const std::string kScenario =
    std::string(LLMSIM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain.yaml";




// The model's row for the tier named `name`; -1 if none.
int tier_row(const LinksModel& m, const std::string& name) {
  for (int r = 0; m.is_tier_row(r); ++r) {
    if (link_tier_name(m.tier(r)) == name) return r;
  }
  return -1;
}

// Column `col` of the Links tab against run --json's "links" for the same case.
void check_case_against_cli(const LinksModel& m, int col, const nlohmann::json& links) {
  const StepLinks& l = m.links()[static_cast<std::size_t>(col)];
  CHECK(l.rank == links["rank"].get<int>());
  CHECK(l.complete == links["complete"].get<bool>());
  int with_traffic = 0;
  for (const auto& t : links["tiers"]) {
    const std::string name = t["tier"].get<std::string>();
    INFO(name);
    const int r = tier_row(m, name);
    REQUIRE(r >= 0);
    const QModelIndex at = m.index(r, col);
    CHECK(m.data(at, LinksModel::kBusySecondsRole).toDouble() == t["busy_s"].get<double>());
    CHECK(m.data(at, LinksModel::kShareRole).toDouble() == t["utilization"].get<double>());
    // Units on the number: seconds and the share of the step.
    const QString text = m.data(at, Qt::DisplayRole).toString();
    CHECK(text.contains(" s ("));
    CHECK(text.contains("% of step)"));
    ++with_traffic;
  }
  // Tiers this case leaves idle say so; the others are all in the JSON.
  for (int r = 0; m.is_tier_row(r); ++r) {
    if (!m.data(m.index(r, col), LinksModel::kShareRole).isValid()) {
      CHECK(m.data(m.index(r, col), Qt::DisplayRole).toString() == "no traffic");
    } else {
      --with_traffic;
    }
  }
  CHECK(with_traffic == 0);
}

// The bottleneck: the last row names the JSON's tier; that tier's cell, and only it, is bold on
// amber.
void check_bottleneck(const LinksModel& m, int col, const nlohmann::json& links) {
  const std::string neck = links["bottleneck"].get<std::string>();
  const int last = m.rowCount() - 1;
  CHECK(m.data(m.index(last, col), LinksModel::kBottleneckRole).toString().toStdString() == neck);
  CHECK(m.data(m.index(last, col), Qt::DisplayRole).toString().toStdString() == neck);
  for (int r = 0; m.is_tier_row(r); ++r) {
    const QModelIndex at = m.index(r, col);
    const bool is_neck = link_tier_name(m.tier(r)) == neck;
    INFO("row " << r);
    CHECK(m.data(at, LinksModel::kBottleneckRole).toBool() == is_neck);
    CHECK(m.data(at, Qt::FontRole).value<QFont>().bold() == is_neck);
    CHECK(m.data(at, Qt::BackgroundRole).isValid() == is_neck);
    if (is_neck) CHECK(m.data(at, Qt::ToolTipRole).toString().contains("bottleneck"));
  }
}

}  // namespace

TEST_CASE("MainWindow: the Links tab is run --json's links per case, the bottleneck marked",
          "[gui][widget][scenario][links]") {
  MainWindow w;
  show_scenario(w, QString::fromStdString(kScenario));  // ticks DualPipe
  tick(w, "1F1B");
  wait_idle(w);
  REQUIRE(w.error_text().isEmpty());
  const LinksModel& m = *w.links()->model();
  REQUIRE(m.columnCount() == 2);  // 1F1B, DualPipe
  REQUIRE(m.rowCount() >= 3);     // tiers with traffic, then the bottleneck

  const char* schedules[] = {"1f1b", "dualpipe"};
  for (int col = 0; col < 2; ++col) {
    INFO(schedules[col]);
    const auto cli = nlohmann::json::parse(
        run_cli("run " + kScenario + " --set parallelism.schedule=" + schedules[col] +
                " --set parallelism.vpp=1 --json"));
    REQUIRE(cli["links"]["tiers"].size() >= 2);
    check_case_against_cli(m, col, cli["links"]);
    check_bottleneck(m, col, cli["links"]);
  }

  // Units and what "busy" means, in the headers and their tooltips.
  for (int r = 0; m.is_tier_row(r); ++r) {
    CHECK(m.headerData(r, Qt::Vertical, Qt::DisplayRole).toString().contains("(s, % of step)"));
    CHECK(m.headerData(r, Qt::Vertical, Qt::ToolTipRole).toString().contains("bytes / link capacity"));
  }
  CHECK(m.headerData(0, Qt::Horizontal, Qt::DisplayRole).toString().startsWith("1f1b"));

  // The window with the Links tab shown: nothing clipped.
  w.tabs()->setCurrentWidget(w.links());
  w.fit_splitter_to_content();
  QApplication::processEvents();
  const QTableView* table = w.links()->table();
  CHECK(table->isVisible());
  CHECK(table->verticalHeader()->length() + table->horizontalHeader()->height() <=
        table->viewport()->height() + table->horizontalHeader()->height());
  const QString png = QString(LLMSIM_BINARY_DIR) + "/gui-links.png";
  REQUIRE(w.export_png(png).isEmpty());
  const QImage image(png);
  CHECK(image.width() == 1600);
  CHECK(image.height() == 1000);
  if (std::getenv("LLMSIM_UPDATE_SCREENSHOT") != nullptr) {
    REQUIRE(image.save(QString(LLMSIM_SOURCE_DIR) + "/docs/gui-links.png"));
  }
}
