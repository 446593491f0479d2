#pragma once
// What to say when the command line names a command or an option that does not exist:
//   unknown command 'serv'; did you mean 'serve'? (see llmsim --help)
//   validate: unknown option '--thread'; did you mean '--threads'? (see llmsim validate --help)
// The suggestion is the closest name by edit distance (did_you_mean, the scenario readers'
// helper), or none when nothing is close.

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace llmsim::cli {

// After app.parse() failed: the message for the first unknown command or option it left
// over, or nullopt if it left none (the parser's own message then says what was wrong).
std::optional<std::string> unknown_argument_message(const CLI::App& app);

}  // namespace llmsim::cli
