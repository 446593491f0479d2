#include <catch2/catch.hpp>

#include <string>

#include "cli/progress.hpp"

using namespace llmsim::cli;

TEST_CASE("progress_text: count, share, rate, time spent and time left", "[cli][progress]") {
  // 12 of 48 in 4 s: 3 a second, 36 left take 12 s.
  CHECK(progress_text("calibrate", 12, 48, 4.0, "gemm_bf16 512x512x512") ==
        "calibrate: 12 of 48 (25%), 3/s, 4.0 s, about 12 s left; gemm_bf16 512x512x512");
  // 1 of 100 in 30 s: 99 left at 1/30 a second take 2970 s, said in minutes.
  CHECK(progress_text("compare", 1, 100, 30.0) ==
        "compare: 1 of 100 (1%), 0.0333/s, 30.0 s, about 50 min left");
  // Fast items: a whole number a second, not 5.99e+03.
  CHECK(progress_text("calibrate", 5990, 12000, 1.0) ==
        "calibrate: 5990 of 12000 (50%), 5990/s, 1.0 s, about 1 s left");
  // 1 of 401 in 36 s: 400 left take 14400 s, said in hours.
  CHECK(progress_text("compare", 1, 401, 36.0) ==
        "compare: 1 of 401 (0%), 0.0278/s, 36.0 s, about 4.0 h left");
}

TEST_CASE("progress_text: no rate or time left before the first item", "[cli][progress]") {
  CHECK(progress_text("serve", 0, 10, 0.5, "capacity") == "serve: 0 of 10 (0%); capacity");
  CHECK(progress_text("serve", 10, 10, 2.0) == "serve: 10 of 10 (100%), 5/s, 2.0 s, about 0 s left");
  // A count past its total (a stage re-measured) is shown as done, never as negative time.
  CHECK(progress_text("calibrate", 12, 10, 2.0) ==
        "calibrate: 10 of 10 (100%), 5/s, 2.0 s, about 0 s left");
}

TEST_CASE("eta_text: seconds, then minutes, then hours", "[cli][progress]") {
  CHECK(eta_text(0.4) == "0 s");
  CHECK(eta_text(89) == "89 s");
  CHECK(eta_text(90) == "2 min");
  CHECK(eta_text(5399) == "90 min");
  CHECK(eta_text(5400) == "1.5 h");
}
