#pragma once
// What the main-window tests do to a window: run the llmsim CLI for the same case, tick a
// schedule's check box, wait until the window shows its latest results.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include <QCheckBox>
#include <QSignalSpy>

#include "gui/main_window.hpp"

namespace llmsim::gui::test {

// The CLI's standard output for `llmsim ARGS` (the binary the build made).
inline std::string run_cli(const std::string& args) {
  std::string out;
  FILE* pipe = popen((std::string(LLMSIM_BINARY) + " " + args).c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

// Shows the window at the size the tests and screenshots use and opens `file` (its default
// schedule ticked), which must load without an error.
inline void show_scenario(MainWindow& w, const QString& file) {
  w.resize(1600, 1000);
  w.show();
  REQUIRE(w.open_scenario(file).isEmpty());
}

// Ticks the check box labelled `label` (a schedule to compare).
inline void tick(MainWindow& w, const QString& label) {
  for (QCheckBox* b : w.findChildren<QCheckBox*>()) {
    if (b->text() == label) {
      b->setChecked(true);
      return;
    }
  }
  FAIL("no check box " << label.toStdString());
}

// Waits until the window has shown the results of its latest inputs.
inline void wait_idle(MainWindow& w) {
  QSignalSpy spy(&w, &MainWindow::results_shown);
  while (w.busy()) REQUIRE(spy.wait(120000));
}

}  // namespace llmsim::gui::test
