// llmsim: the command-line front end. Parses arguments, runs one subcommand, and turns
// errors into one line on stderr and a non-zero exit: 2 for bad input, 70 for a bug.

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "costmodel/version.hpp"
#include "sim/check.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "llmsim: simulate and cost the training and serving of large language models on GPU "
      "clusters, from the model, the cluster and the plan.",
      "llmsim"};
  app.set_version_flag("--version", llmsim::version());
  app.require_subcommand(1);
  llmsim::cli::add_run_command(app);
  llmsim::cli::add_serve_command(app);
  llmsim::cli::add_schedule_command(app);
  llmsim::cli::add_model_command(app);
  llmsim::cli::add_memory_command(app);
  llmsim::cli::add_collective_command(app);
  llmsim::cli::add_calibrate_command(app);
  llmsim::cli::add_fp8_error_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a bad flag or value is bad input like any other: exit 2.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const llmsim::cli::Interrupted& e) {
    std::fprintf(stderr, "llmsim: %s\n", e.message.c_str());
    return 130;
  } catch (const llmsim::UserError& e) {
    std::fprintf(stderr, "llmsim: error: %s\n", e.what());
    return 2;
  } catch (const llmsim::InternalError& e) {
    std::fprintf(stderr, "llmsim: %s\nPlease report this as a bug.\n", e.what());
    return 70;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "llmsim: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
