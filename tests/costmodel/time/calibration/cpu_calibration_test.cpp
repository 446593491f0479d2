#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "costmodel/time/calibration/cpu_calibration.hpp"

using namespace llmsim::calibration;

// The CI grid on real kernels. Nothing here depends on how fast the machine is: only on the
// structure of the result and on relative properties of the fitted model.
TEST_CASE("calibrate_cpu: CI grid measures, holds out and fits each class", "[calibration][cpu]") {
  CalibrationOptions o;
  o.grid = GridSize::kCi;
  o.date = "2000-01-01";
  o.classes = {KernelClass::kGemmFp8, KernelClass::kMemoryBound, KernelClass::kAllReduce,
               KernelClass::kLaunch};
  int calls = 0;
  int last_done = -1;
  o.progress = [&](const CalibrationProgress& p) {
    ++calls;
    CHECK(p.done >= last_done);
    last_done = p.done;
  };
  const Profile p = calibrate_cpu(o);
  CHECK(p.method == "measured");
  CHECK(calls > 0);
  REQUIRE(p.classes.size() == 4);
  for (const auto& c : p.classes) {
    INFO(kernel_class_name(c.kernel_class));
    const auto grid = cpu_grid(c.kernel_class, GridSize::kCi);
    CHECK(c.points.size() == grid.size());
    // Every 4th shape from the 2nd is held out: 8 shapes -> 2 held out, 6 fitted.
    CHECK(c.holdout_points == static_cast<int>((grid.size() + 2) / 4));
    // A training shape still far off after re-measuring (a loaded machine) is left out of
    // the fit and labelled so.
    int left_out = 0;
    for (const auto& pt : c.points)
      left_out += pt.label.find("[left out of the fit]") != std::string::npos;
    CHECK(left_out <= (c.fit_points + left_out) / 2);
    CHECK(c.fit_points + left_out + c.holdout_points == static_cast<int>(grid.size()));
    REQUIRE(c.holdout_mape_pct.has_value());
    CHECK(std::isfinite(*c.holdout_mape_pct));
    for (const auto& pt : c.points) {
      CHECK(pt.measured_s > 0.0);
      CHECK(pt.predicted_s > 0.0);
    }
  }
  // The fitted GEMM model is monotone in size: doubling k costs more.
  KernelShape a;
  a.m = a.n = 128;
  a.k = 128;
  KernelShape b = a;
  b.k = 256;
  CHECK(predict_seconds(p, KernelClass::kGemmFp8, b) > predict_seconds(p, KernelClass::kGemmFp8, a));
  CHECK(p.overall_holdout_mape_pct().has_value());
}

TEST_CASE("cpu_grid: quick GEMM shapes are distinct and FP8-compatible", "[calibration]") {
  const auto g = cpu_grid(KernelClass::kGemmFp8, GridSize::kQuick);
  CHECK(g.size() == 16);
  for (std::size_t i = 0; i < g.size(); ++i) {
    CHECK(g[i].k % 128 == 0);
    for (std::size_t j = 0; j < i; ++j) {
      CHECK_FALSE((g[i].m == g[j].m && g[i].n == g[j].n && g[i].k == g[j].k));
    }
  }
}
