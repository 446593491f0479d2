// The property tests' main: RapidCheck properties inside Catch2 test cases (rc::prop).
// RapidCheck reads RC_PARAMS when its first property runs; without one, a fixed seed makes
// every run check the same 500 generated cases per property (STYLE.md: fixed seeds).
// RC_PARAMS="seed=N" explores others, RC_PARAMS="max_success=1000" more of them; a failure
// prints the shrunk case and the seed that reproduces it.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
  setenv("RC_PARAMS", "seed=20261202 max_success=500", 0);  // 0: a caller's RC_PARAMS wins
  return Catch::Session().run(argc, argv);
}
