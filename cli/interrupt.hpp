#pragma once
// Ctrl-C for long work: while an InterruptGuard lives, SIGINT only raises a flag, which a loop
// checks between items so that it can stop cleanly, keep what it finished and say so; a second
// Ctrl-C ends the process as usual. main() turns Interrupted into exit code 130 (128 + SIGINT).

#include <string>

namespace llmsim::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool interrupted() const;
};

// Thrown after the finished part has been printed.
struct Interrupted {
  std::string message;  // "compare: interrupted after 12 of 100 cases; ..."
};

}  // namespace llmsim::cli
