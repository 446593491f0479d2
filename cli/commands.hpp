#pragma once
// The llmsim subcommands. Each add_*_command registers one subcommand on the app and sets
// its callback; the callbacks throw UserError on bad input and main() picks the exit code.

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

// Thrown by a command that finished its output and asks main() for a non-zero exit status
// without an error message (validate --max-median: the gate failed, and said so).
struct ExitStatus {
  int code = 1;
};

}  // namespace llmsim::cli
