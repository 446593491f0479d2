// llmsim-gui: compare pipeline schedules side by side.
//   llmsim-gui [options]                       the interactive window
//   llmsim-gui --render --out FILE.png [...]   the same view rendered offscreen to a file
// Options preset the form with the same names and meanings as `llmsim schedule`.

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QStringList>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "gui/main_window.hpp"
#include "gui/plan_widget.hpp"
#include "gui/timeline_widget.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace {

int fail(const QString& message) {
  std::fprintf(stderr, "llmsim-gui: error: %s\n", message.toLocal8Bit().constData());
  return 2;
}

// --render needs no display: choose the offscreen platform before Qt starts.
void choose_offscreen_for_render(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (QString(argv[i]) == "--render" && qgetenv("QT_QPA_PLATFORM").isEmpty()) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    }
  }
}

// The command-line options.
struct Options {
  QCommandLineOption compare{"compare", "Schedules to compare, e.g. 1f1b,zb1p,dualpipe.", "list"};
  QCommandLineOption pp{"pp", "Pipeline ranks.", "n"};
  QCommandLineOption mb{"micro-batches", "Micro-batches per step.", "n"};
  QCommandLineOption vpp{"vpp", "Chunks per rank for interleaved 1F1B.", "n"};
  QCommandLineOption f{"f", "Forward duration (us), or one per stage.", "us"};
  QCommandLineOption b{"b", "Backward-for-inputs duration (us).", "us"};
  QCommandLineOption w{"w", "Weight-gradient duration (us).", "us"};
  QCommandLineOption bw{"bw", "Full-backward duration (us); default B+W.", "us"};
  QCommandLineOption fb{"fb", "Overlapped F&B duration (us); default F+BW.", "us"};
  QCommandLineOption lat{"p2p-latency", "Transfer latency between ranks (us).", "us"};
  QCommandLineOption render{"render", "Render the view offscreen to --out and exit."};
  QCommandLineOption out{"out",
                         "Output file for --render: .png (the window) or .svg "
                         "(the timelines).",
                         "file"};
  QCommandLineOption set{"set",
                         "With scenarios: override a field, path.to.key=value "
                         "(repeatable), as llmsim run --set.",
                         "key=value"};
  QCommandLineOption vary{"vary", "With scenarios: a field to vary, key=v1,v2.", "key=values"};
  QCommandLineOption plan{"plan",
                          "Open the results of `llmsim plan ... --db file.db` (no scenario "
                          "needed), or, with a scenario: its plan search (its GPUs, half and "
                          "twice as many), rows kept in this SQLite file (an existing file of "
                          "the same search is read back). With --render: render the plan "
                          "search view.",
                          "file.db"};
  QCommandLineOption size{"size",
                          "Window size for --render; default 1500 wide and tall "
                          "enough for every row.",
                          "WxH"};
};

void describe_command_line(QCommandLineParser& parser, const Options& o) {
  parser.setApplicationDescription(
      "Compare pipeline-parallel schedules side by side: stacked timelines on one time axis "
      "and a table of makespan, bubbles, activations and parameter copies.\n"
      "Durations are in microseconds for 1/pp of the model, as in `llmsim schedule`.");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("scenario", "Scenario files to open: each checked schedule (and "
                                           "each --vary value) runs as `llmsim run` does.",
                                "[SCENARIO...]");
  parser.addOptions({o.compare, o.pp, o.mb, o.vpp, o.f, o.b, o.w, o.bw, o.fb, o.lat, o.render,
                     o.out, o.size, o.vary, o.set, o.plan});
}

// A whole number in [lo, hi] into `target` when `o` is set; false (the error printed) when the
// value is not one.
bool read_int(const QCommandLineParser& parser, const QCommandLineOption& o, int& target, int lo,
              int hi) {
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
}

void read_text(const QCommandLineParser& parser, const QCommandLineOption& o, std::string& target) {
  if (parser.isSet(o)) target = parser.value(o).toStdString();
}

// The form as the options preset it; nullopt (the error printed) when an option is invalid.
std::optional<llmsim::gui::FormInputs> form_inputs(const QCommandLineParser& parser,
                                                   const Options& o) {
  llmsim::gui::FormInputs in;
  if (!read_int(parser, o.pp, in.pp, 1, 4096) ||
      !read_int(parser, o.mb, in.micro_batches, 1, 1 << 24) ||
      !read_int(parser, o.vpp, in.vpp, 2, 64)) {
    return std::nullopt;
  }
  read_text(parser, o.f, in.f);
  read_text(parser, o.b, in.b);
  read_text(parser, o.w, in.w);
  read_text(parser, o.bw, in.bw);
  read_text(parser, o.fb, in.fb);
  read_text(parser, o.lat, in.p2p_latency);
  if (parser.isSet(o.compare)) {
    in.methods.clear();
    for (const QString& name : parser.value(o.compare).split(',', Qt::SkipEmptyParts)) {
      const auto m = llmsim::parse_schedule_method(name.trimmed().toStdString());
      if (!m) {
        fail(QString("method '%1': unknown; allowed: %2")
                 .arg(name, QString::fromStdString(llmsim::schedule_method_list())));
        return std::nullopt;
      }
      in.methods.push_back(*m);
    }
  }

  read_text(parser, o.vary, in.vary);
  for (const QString& s : parser.values(o.set)) in.overrides.push_back(s.toStdString());
  return in;
}

// Opens the scenario files named on the command line (if any) in `window`; false (the error
// printed) when --render finds one that does not load.
bool open_scenarios(const QCommandLineParser& parser, const Options& o,
                    const llmsim::gui::FormInputs& in, llmsim::gui::MainWindow& window) {
  const QStringList files = parser.positionalArguments();
  if (files.isEmpty()) return true;
  const std::vector<llmsim::ScheduleMethod> chosen = in.methods;
  for (const QString& file : files) {
    if (parser.isSet(o.render)) {
      try {
        llmsim::load_scenario(file.toStdString(), in.overrides, llmsim::default_data_dir());
      } catch (const std::exception& e) {
        fail(QString::fromStdString(e.what()));
        return false;
      }
    }
    if (!window.open_scenario(file).isEmpty()) break;  // the dialog says why
  }
  llmsim::gui::FormInputs now = window.inputs();
  now.scenarios.clear();
  for (const QString& file : files) now.scenarios.push_back(file.toStdString());
  if (parser.isSet(o.compare)) now.methods = chosen;
  now.vary = in.vary;
  now.overrides = in.overrides;
  window.set_inputs(now);
  return true;
}

// --size WxH into width and height when set; false (the error printed) when malformed.
bool read_size(const QCommandLineParser& parser, const Options& o, int& width, int& height) {
  if (!parser.isSet(o.size)) return true;
  const QStringList wh = parser.value(o.size).split('x');
  bool ok1 = false, ok2 = false;
  if (wh.size() == 2) {
    width = wh[0].toInt(&ok1);
    height = wh[1].toInt(&ok2);
  }
  if (!ok1 || !ok2 || width < 400 || height < 300 || width > 10000 || height > 10000) {
    fail("--size = " + parser.value(o.size) + ": expected WxH between 400x300 and 10000x10000");
    return false;
  }
  return true;
}

// --render: lays the window out offscreen, runs it once and writes --out; the exit code.
int render(const QCommandLineParser& parser, const Options& o, llmsim::gui::MainWindow& window) {
  if (!parser.isSet(o.out)) return fail("--render needs --out FILE.png or FILE.svg");
  int width = 1500, height = 950;
  if (!read_size(parser, o, width, height)) return 2;
  window.resize(width, height);
  window.show();  // offscreen: lays the widgets out without a display
  window.run_now();
  if (!window.error_text().isEmpty()) return fail(window.error_text());
  QApplication::processEvents();
  if (!parser.isSet(o.size)) {
    // Tall enough to show every row: the whole comparison in one picture.
    window.resize(width, std::clamp(window.content_height(), 600, 8000));
    QApplication::processEvents();
  }
  window.fit_splitter_to_content();
  QApplication::processEvents();
  window.timeline()->fit_to_window();
  const QString path = parser.value(o.out);
  const QString err = path.endsWith(".svg", Qt::CaseInsensitive) ? window.export_svg(path)
                                                                   : window.export_png(path);
  if (!err.isEmpty()) return fail(err);
  std::printf("wrote %s\n", path.toLocal8Bit().constData());
  return 0;
}

// --plan with --render: the plan search on the calling thread, the middle plan of the front
// selected, the view written to --out (PNG).
int render_plan(const QCommandLineParser& parser, const Options& o,
                llmsim::gui::MainWindow& window) {
  if (!parser.isSet(o.out)) return fail("--render needs --out FILE.png");
  int width = 1300, height = 900;
  if (!read_size(parser, o, width, height)) return 2;
  llmsim::gui::PlanWidget* plan = window.open_plan_search(parser.value(o.plan), false);
  if (!plan) return fail("--plan needs a training scenario or an `llmsim plan --db` file");
  if (!plan->error_text().isEmpty()) return fail(plan->error_text());
  plan->resize(width, height);
  QApplication::processEvents();
  const auto& front = plan->view().front;
  if (!front.empty()) plan->select(front[front.size() / 2]);
  QApplication::processEvents();
  const QString path = parser.value(o.out);
  if (!plan->grab().save(path)) return fail("cannot write " + path);
  std::printf("wrote %s\n", path.toLocal8Bit().constData());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  choose_offscreen_for_render(argc, argv);
  QApplication app(argc, argv);
  QApplication::setApplicationName("llmsim-gui");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  const Options o{};
  describe_command_line(parser, o);
  parser.process(app);

  const std::optional<llmsim::gui::FormInputs> in = form_inputs(parser, o);
  if (!in) return 2;
  llmsim::gui::MainWindow window;
  window.set_inputs(*in);
  if (!open_scenarios(parser, o, *in, window)) return 2;
  if (!parser.isSet(o.render)) {
    window.show();
    if (parser.isSet(o.plan)) window.open_plan_search(parser.value(o.plan));
    return app.exec();
  }
  return parser.isSet(o.plan) ? render_plan(parser, o, window) : render(parser, o, window);
}
