// Main of cuda_tests: runs the Catch2 tests where a GPU is usable, and otherwise exits 77,
// which CTest reports as skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt). Listing the tests
// (catch_discover_tests at build time) never touches the GPU.
#define CATCH_CONFIG_RUNNER
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "costmodel/time/calibration/cuda/cuda_runner.hpp"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--list", 0) == 0) listing = true;
  }
  if (!listing) {
    try {
      llmsim::calibration::cuda::CudaRunner probe;
    } catch (const llmsim::calibration::cuda::CudaFailure& e) {
      std::printf("SKIPPED: no usable CUDA device (%s)\n", e.what());
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
