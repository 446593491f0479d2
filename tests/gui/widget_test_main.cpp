// Catch2 main for widget tests: a QApplication on the offscreen platform, so the tests run
// without a display (CI, ssh sessions).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  int qt_argc = 1;
  QApplication app(qt_argc, argv);
  return Catch::Session().run(argc, argv);
}
