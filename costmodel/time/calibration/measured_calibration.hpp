#pragma once
// Measuring and fitting, whatever runs the kernels: the part of calibration that the CPU
// (cpu_calibration.hpp) and the GPU (cuda_calibration.hpp) share. Each class's grid of shapes
// is measured in rounds (passes); every 4th shape (the 2nd, 6th, ...) is held out; the
// kernel-time model is fitted to the rest and judged on the held-out shapes. The device
// supplies the shapes, the measurement and each class's fixed model inputs (peaks, units,
// tile) with the parameters the fit may change.
//
// Two ways to turn passes into one time per shape:
// - fastest pass (paired = false): right where load only ever slows a kernel down;
// - paired with a reference (paired = true): each pass times the class's reference shape (its
//   grid's first) before and after every shape; a shape's time is its median ratio to the
//   reference timed either side, times the reference's fastest time. A machine whose speed
//   comes in stretches (a busy SMT sibling, frequency steps, a shared host: on the 2-core
//   machine this was developed on, SwiGLU ran at 2.5 or 4.4 ns per element for 10 ms to
//   seconds at a time) slows a shape and the reference beside it alike, so the ratio holds in
//   slow and fast stretches; a fastest pass instead picks the fast stretch for some shapes and
//   not others, and a class's shapes disagree by the whole factor. A paired class stops taking
//   passes once its median ratios are known to 1%.
//
// Either way, shapes far off a screening fit are measured again, and a training shape still
// 1.5x off after that is left out of the fit and labelled (measured_calibration.cpp).

#include <functional>
#include <string>
#include <vector>

#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/kernel_class.hpp"
#include "costmodel/time/calibration/kernel_model.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::calibration {

// kCi: small shapes, few repetitions (the test suite); kQuick: under a minute;
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
  int threads = 1;                   // CPU only: OpenBLAS / kernel threads (the model's units)
  std::string date;                  // YYYY-MM-DD, written into the profile
  std::string generator;             // the command line, written into the profile
  std::vector<KernelClass> classes;  // empty: every class the device has a kernel for
  std::string reference_dir;         // CUDA only: hardware_specs.csv's folder ("": default)
  std::function<void(const CalibrationProgress&)> progress;  // called before each measurement
};

// One class's fit: the model's fixed inputs (peaks, units, tile) and starting values, the
// parameters the fit may change, and where the peaks come from.
struct ClassSetup {
  KernelModel start;
  FreeParameters free;
  std::string peak_source;
};

struct MeasurementPlan {
  std::vector<KernelClass> classes;
  // Passes over each class's grid, one pass of each class in turn; passes after the first
  // min_rounds stop once 80% of budget_s (seconds from the start of measure_and_fit) is
  // spent, and re-measures (one each at least) once all of it is.
  int rounds = 1;
  int min_rounds = 1;
  double budget_s = 1e9;
  bool paired = false;  // see the top of this file
  std::function<std::vector<KernelShape>(KernelClass)> shapes;
  std::function<Measurement(KernelClass, const KernelShape&)> measure;
  std::function<ClassSetup(KernelClass)> setup;
  std::function<void(const CalibrationProgress&)> progress;  // optional
};

// Measures, holds out, fits; one ClassProfile per class of the plan, in its order. The
// holdout method reads "every 4th shape (2nd, 6th, ...) held out of the fit".
std::vector<ClassProfile> measure_and_fit(const MeasurementPlan& plan);

}  // namespace llmsim::calibration
