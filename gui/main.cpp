// llmsim-gui: compare pipeline schedules side by side.
//   llmsim-gui [options]                       the interactive window
//   llmsim-gui --render --out FILE.png [...]   the same view rendered offscreen to a file
// Options preset the form with the same names and meanings as `llmsim schedule`.

#include <algorithm>
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QStringList>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "gui/main_window.hpp"
#include "gui/timeline_widget.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace {

int fail(const QString& message) {
  std::fprintf(stderr, "llmsim-gui: error: %s\n", message.toLocal8Bit().constData());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // --render needs no display: choose the offscreen platform before Qt starts.
  for (int i = 1; i < argc; ++i) {
    if (QString(argv[i]) == "--render" && qgetenv("QT_QPA_PLATFORM").isEmpty()) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    }
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("llmsim-gui");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  parser.setApplicationDescription(
      "Compare pipeline-parallel schedules side by side: stacked timelines on one time axis "
      "and a table of makespan, bubbles, activations and parameter copies.\n"
      "Durations are in microseconds for 1/pp of the model, as in `llmsim schedule`.");
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption compare("compare", "Schedules to compare, e.g. 1f1b,zb1p,dualpipe.",
                                   "list");
  const QCommandLineOption pp("pp", "Pipeline ranks.", "n");
  const QCommandLineOption mb("micro-batches", "Micro-batches per step.", "n");
  const QCommandLineOption vpp("vpp", "Chunks per rank for interleaved 1F1B.", "n");
  const QCommandLineOption f("f", "Forward duration (us), or one per stage.", "us");
  const QCommandLineOption b("b", "Backward-for-inputs duration (us).", "us");
  const QCommandLineOption w("w", "Weight-gradient duration (us).", "us");
  const QCommandLineOption bw("bw", "Full-backward duration (us); default B+W.", "us");
  const QCommandLineOption fb("fb", "Overlapped F&B duration (us); default F+BW.", "us");
  const QCommandLineOption lat("p2p-latency", "Transfer latency between ranks (us).", "us");
  const QCommandLineOption render("render", "Render the view offscreen to --out and exit.");
  const QCommandLineOption out("out", "Output file for --render: .png (the window) or .svg "
                                      "(the timelines).", "file");
  parser.addPositionalArgument("scenario", "Scenario files to open: each checked schedule (and "
                                           "each --vary value) runs as `llmsim run` does.",
                                "[SCENARIO...]");
  const QCommandLineOption set("set", "With scenarios: override a field, path.to.key=value "
                                     "(repeatable), as llmsim run --set.", "key=value");
  const QCommandLineOption vary("vary", "With scenarios: a field to vary, key=v1,v2.", "key=values");
  const QCommandLineOption size("size", "Window size for --render; default 1500 wide and tall "
                                        "enough for every row.", "WxH");
  parser.addOptions({compare, pp, mb, vpp, f, b, w, bw, fb, lat, render, out, size, vary, set});
  parser.process(app);

  llmsim::gui::FormInputs in;
  auto int_value = [&](const QCommandLineOption& o, int& target, int lo, int hi) {
    if (!parser.isSet(o)) return true;
    bool ok = false;
    const int v = parser.value(o).toInt(&ok);
    if (!ok || v < lo || v > hi) {
      fail(QString("--%1 = %2: expected a whole number between %3 and %4")
               .arg(o.names().first(), parser.value(o))
               .arg(lo)
               .arg(hi));
      return false;
    }
    target = v;
    return true;
  };
  if (!int_value(pp, in.pp, 1, 4096) || !int_value(mb, in.micro_batches, 1, 1 << 24) ||
      !int_value(vpp, in.vpp, 2, 64)) {
    return 2;
  }
  auto text = [&](const QCommandLineOption& o, std::string& target) {
    if (parser.isSet(o)) target = parser.value(o).toStdString();
  };
  text(f, in.f);
  text(b, in.b);
  text(w, in.w);
  text(bw, in.bw);
  text(fb, in.fb);
  text(lat, in.p2p_latency);
  if (parser.isSet(compare)) {
    in.methods.clear();
    for (const QString& name : parser.value(compare).split(',', Qt::SkipEmptyParts)) {
      const auto m = llmsim::parse_schedule_method(name.trimmed().toStdString());
      if (!m) {
        return fail(QString("method '%1': unknown; allowed: %2")
                        .arg(name, QString::fromStdString(llmsim::schedule_method_list())));
      }
      in.methods.push_back(*m);
    }
  }

  text(vary, in.vary);
  for (const QString& o : parser.values(set)) in.overrides.push_back(o.toStdString());
  llmsim::gui::MainWindow window;
  window.set_inputs(in);
  const QStringList files = parser.positionalArguments();
  if (!files.isEmpty()) {
    const std::vector<llmsim::ScheduleMethod> chosen = in.methods;
    for (const QString& file : files) {
      if (parser.isSet(render)) {
        try {
          (void)llmsim::load_scenario(file.toStdString(), in.overrides, llmsim::default_data_dir());
        } catch (const std::exception& e) {
          return fail(QString::fromStdString(e.what()));
        }
      }
      if (!window.open_scenario(file).isEmpty()) break;  // the dialog says why
    }
    llmsim::gui::FormInputs now = window.inputs();
    now.scenarios.clear();
    for (const QString& file : files) now.scenarios.push_back(file.toStdString());
    if (parser.isSet(compare)) now.methods = chosen;
    now.vary = in.vary;
    now.overrides = in.overrides;
    window.set_inputs(now);
  }
  if (!parser.isSet(render)) {
    window.show();
    return app.exec();
  }

  if (!parser.isSet(out)) return fail("--render needs --out FILE.png or FILE.svg");
  int width = 1500, height = 950;
  if (parser.isSet(size)) {
    const QStringList wh = parser.value(size).split('x');
    bool ok1 = false, ok2 = false;
    if (wh.size() == 2) {
      width = wh[0].toInt(&ok1);
      height = wh[1].toInt(&ok2);
    }
    if (!ok1 || !ok2 || width < 400 || height < 300 || width > 10000 || height > 10000) {
      return fail("--size = " + parser.value(size) + ": expected WxH between 400x300 and 10000x10000");
    }
  }
  window.resize(width, height);
  window.show();  // offscreen: lays the widgets out without a display
  window.run_now();
  if (!window.error_text().isEmpty()) return fail(window.error_text());
  QApplication::processEvents();
  if (!parser.isSet(size)) {
    // Tall enough to show every row: the whole comparison in one picture.
    window.resize(width, std::clamp(window.content_height(), 600, 8000));
    QApplication::processEvents();
  }
  window.fit_splitter_to_content();
  QApplication::processEvents();
  window.timeline()->fit_to_window();
  const QString path = parser.value(out);
  const QString err = path.endsWith(".svg", Qt::CaseInsensitive) ? window.export_svg(path)
                                                                   : window.export_png(path);
  if (!err.isEmpty()) return fail(err);
  std::printf("wrote %s\n", path.toLocal8Bit().constData());
  return 0;
}
