#pragma once
// The benchmarks' main: run, and turn an exception into one line on stderr and exit 1.

#include <cstdio>
#include <exception>

namespace llmsim::bench {

inline int guarded_main(const char* name, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace llmsim::bench
