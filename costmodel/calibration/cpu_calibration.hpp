#pragma once
// Calibrating the CPU at hand: run the reference kernels (cpu_kernels.hpp) over a grid of
// shapes per class, hold out every 4th shape (the 2nd, 6th, ...), fit the kernel-time model
// to the rest, and report the prediction error on the held-out shapes. The result is a
// Profile like any other (method "measured").

#include <functional>
#include <string>
#include <vector>

#include "costmodel/calibration/kernel_class.hpp"
#include "costmodel/calibration/profile.hpp"

namespace llmsim::calibration {

// kCi: small shapes, few repetitions (the test suite); kQuick: under a minute on 2 cores;
// kFull: more shapes, more repetitions, larger sizes.
enum class GridSize { kCi, kQuick, kFull };

struct CalibrationProgress {
  KernelClass kernel_class = KernelClass::kGemmFp32;
  int done = 0;   // measurements finished, all classes together
  int total = 0;  // measurements planned
  std::string shape;
};

struct CalibrationOptions {
  GridSize grid = GridSize::kQuick;
  int threads = 1;                      // OpenBLAS / kernel threads (units of the model)
  std::string date;                     // YYYY-MM-DD, written into the profile
  std::string generator;                // the command line, written into the profile
  std::vector<KernelClass> classes;     // empty: every class with a CPU reference kernel
  std::function<void(const CalibrationProgress&)> progress;  // called before each measurement
};

// The classes with a CPU reference kernel, in profile order.
std::vector<KernelClass> cpu_kernel_classes();

// The shapes measured for `c` at `grid` size, in measurement order.
std::vector<KernelShape> cpu_grid(KernelClass c, GridSize grid);

Profile calibrate_cpu(const CalibrationOptions& options);

}  // namespace llmsim::calibration
