#include "cli/unknown_argument.hpp"

#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "costmodel/read/yaml_reader.hpp"

namespace llmsim::cli {

namespace {

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : cmd.get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
  }
  return names;
}

bool is_option(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

// The first option `cmd` was given and does not know, if any: "--thread" of "--thread=2".
std::optional<std::string> unknown_option(const CLI::App& cmd) {
  for (const std::string& arg : cmd.remaining()) {
    if (is_option(arg)) return arg.substr(0, arg.find('='));
  }
  return std::nullopt;
}

std::optional<std::string> unknown_command(const CLI::App& app) {
  for (const std::string& word : app.remaining()) {
    if (!is_option(word)) return word;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> unknown_argument_message(const CLI::App& app) {
  const std::vector<CLI::App*> chosen = app.get_subcommands();
  if (!chosen.empty()) {
    const CLI::App& cmd = *chosen.front();
    if (const auto word = unknown_option(cmd)) {
      return fmt::format("{}: unknown option '{}'{} (see llmsim {} --help)", cmd.get_name(),
                         quote_value(*word), did_you_mean_clause(*word, option_names(cmd)), cmd.get_name());
    }
  } else if (const auto word = unknown_command(app)) {
    return fmt::format("unknown command '{}'{} (see llmsim --help)", quote_value(*word),
                       did_you_mean_clause(*word, command_names(app)));
  }
  if (const auto word = unknown_option(app)) {  // before the command: llmsim --verbose run
    return fmt::format("unknown option '{}'{} (see llmsim --help)", quote_value(*word),
                       did_you_mean_clause(*word, option_names(app)));
  }
  return std::nullopt;
}

}  // namespace llmsim::cli
