// llmsim: the command-line front end. Parses arguments, runs one subcommand, and turns
// errors into one line on stderr and a non-zero exit: 2 for bad input, 70 for a bug.

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/unknown_argument.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/version.hpp"
#include "sim/check.hpp"

namespace {

// Every error in one short line, whatever raised it (our readers quote values themselves;
// CLI11's messages and file paths do not): a newline becomes a space, and a word (a run
// without spaces) over 120 characters is input echoed back, quoted as values are
// (quote_value: its first 77 characters and its length). 120, not 80: a value our readers
// quoted already is one word of up to about 100 ("'xxx...(100000").
std::string one_short_line(std::string_view message) {
  constexpr std::size_t kLongWord = 120;
  std::string out, word;
  auto flush = [&] {
    out += word.size() > kLongWord ? llmsim::quote_value(word) : word;
    word.clear();
  };
  for (char c : message) {
    if (c == ' ' || c == '\n') {
      flush();
      out += ' ';
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "llmsim: simulate and cost the training and serving of large language models on GPU "
      "clusters, from the model, the cluster and the plan.",
      "llmsim"};
  app.set_version_flag("--version", llmsim::version());
  app.require_subcommand(1);
  llmsim::cli::add_run_command(app);
  llmsim::cli::add_serve_command(app);
  llmsim::cli::add_plan_command(app);
  llmsim::cli::add_schedule_command(app);
  llmsim::cli::add_model_command(app);
  llmsim::cli::add_memory_command(app);
  llmsim::cli::add_collective_command(app);
  llmsim::cli::add_calibrate_command(app);
  llmsim::cli::add_fp8_error_command(app);
  llmsim::cli::add_validate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a bad flag or value is bad input like any other: exit 2,
    // in one line (CLI11's own message adds a second). An unknown command or option gets
    // the closest known name.
    if (e.get_exit_code() == 0) return app.exit(e);
    const std::string message = llmsim::cli::unknown_argument_message(app).value_or(
        one_short_line(e.what()) + " (see --help)");
    std::fprintf(stderr, "llmsim: error: %s\n", message.c_str());
    return 2;
  } catch (const llmsim::cli::ExitStatus& e) {
    return e.code;
  } catch (const llmsim::cli::Interrupted& e) {
    std::fprintf(stderr, "llmsim: %s\n", e.message.c_str());
    return 130;
  } catch (const llmsim::UserError& e) {
    std::fprintf(stderr, "llmsim: error: %s\n", one_short_line(e.what()).c_str());
    return 2;
  } catch (const llmsim::InternalError& e) {
    std::fprintf(stderr, "llmsim: %s\nPlease report this as a bug.\n", e.what());
    return 70;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "llmsim: error: %s\n", one_short_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
