#pragma once
// The llmsim subcommands. Each add_*_command registers one subcommand on the app and sets
// its callback; the callbacks throw UserError on bad input and main() picks the exit code.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmsim::cli {

void add_schedule_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_memory_command(CLI::App& app);
void add_collective_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_fp8_error_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_plan_command(CLI::App& app);

// The positional scenario file and the repeatable --set overrides a scenario command takes.
void add_scenario_options(CLI::App& cmd, std::string& scenario, std::vector<std::string>& overrides,
                          const std::string& scenario_help, const std::string& set_help);
// --gpus N: appends "gpus=N" to `overrides` (set_gpu_count: nodes resized, DP derived).
void add_gpus_option(CLI::App& cmd, std::vector<std::string>& overrides);

// Thrown by a command that finished its output and asks main() for a non-zero exit status
// without an error message (validate --max-median: the gate failed, and said so).
struct ExitStatus {
  int code = 1;
};

}  // namespace llmsim::cli
