#pragma once
// Calibrating the CPU at hand: run the reference kernels (cpu_kernels.hpp) over a grid of
// shapes per class, hold out every 4th shape (the 2nd, 6th, ...), fit the kernel-time model
// to the rest, and report the prediction error on the held-out shapes (measure_and_fit in
// measured_calibration.hpp). The result is a Profile like any other (method "measured").

#include <vector>

#include "costmodel/time/calibration/kernel_class.hpp"
#include "costmodel/time/calibration/measured_calibration.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::calibration {

// GridSize, CalibrationOptions and CalibrationProgress: measured_calibration.hpp. The CPU
// grids: kCi for the test suite, kQuick under a minute on 2 cores, kFull larger.

// The classes with a CPU reference kernel, in profile order.
std::vector<KernelClass> cpu_kernel_classes();

// The shapes measured for `c` at `grid` size, in measurement order.
std::vector<KernelShape> cpu_grid(KernelClass c, GridSize grid);

Profile calibrate_cpu(const CalibrationOptions& options);

}  // namespace llmsim::calibration
