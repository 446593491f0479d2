// The options every scenario command shares: the scenario file and its --set overrides.

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace llmsim::cli {

void add_scenario_options(CLI::App& cmd, std::string& scenario, std::vector<std::string>& overrides,
                          const std::string& scenario_help, const std::string& set_help) {
  cmd.add_option("scenario", scenario, scenario_help)->required();
  cmd.add_option("--set", overrides, set_help);
}

void add_gpus_option(CLI::App& cmd, std::vector<std::string>& overrides) {
  cmd.add_option_function<std::string>(
         "--gpus", [&overrides](const std::string& n) { overrides.push_back("gpus=" + n); },
         "Run the scenario on N GPUs: the cluster resized to N / GPUs per node nodes and every "
         "DP derived, DP = N / (TP x CP x PP), for the plan and each phase (the same as "
         "--set gpus=N; also a --vary axis of compare: --vary gpus=1024,2048)")
      ->type_name("N");
}

}  // namespace llmsim::cli
