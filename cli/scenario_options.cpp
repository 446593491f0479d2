// The options every scenario command shares: the scenario file and its --set overrides.

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace llmsim::cli {

void add_scenario_options(CLI::App& cmd, std::string& scenario, std::vector<std::string>& overrides,
                          const std::string& scenario_help, const std::string& set_help) {
  cmd.add_option("scenario", scenario, scenario_help)->required();
  cmd.add_option("--set", overrides, set_help);
}

}  // namespace llmsim::cli
