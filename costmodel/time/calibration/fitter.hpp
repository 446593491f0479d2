#pragma once
// Fitting a KernelModel to measured (or published) kernel times by least squares.
//
// The residual of a point is log(predicted) - log(measured), so every point weighs by its
// relative error whatever its size. Free parameters are fitted through transforms that keep
// them in range (efficiencies and overhead positive, saturation in (0, 1), exponent >= 1) by
// Levenberg-Marquardt with a numerical Jacobian, started from a few points; the best wins.

#include <string>
#include <vector>

#include "costmodel/time/calibration/kernel_class.hpp"
#include "costmodel/time/calibration/kernel_model.hpp"

namespace llmsim::calibration {

// One timed (or published) call of a kernel.
struct Measurement {
  KernelShape shape;
  double seconds = 0.0;         // the time fitted to: the 10th percentile of repetitions
                                // (robust to preemption on a shared machine; thread teams:
                                // the fastest), or what measure_and_fit made of several
                                // passes (measured_calibration.hpp); published tables: the
                                // derived time
  double median_s = 0.0;        // median over repetitions (or passes); 0 if unknown
  double spread = 0.0;          // (p90 - p10) / median over repetitions (or, paired, over
                                // passes' ratios to the reference); 0 if unknown
  std::string label;            // where it came from (kernel name, table row)
};

// Which KernelModel parameters the fit may change; the others stay as given.
struct FreeParameters {
  bool compute_efficiency = false;
  bool memory_efficiency = false;
  bool saturation_fraction = false;
  bool combine_exponent = false;
  bool overhead = false;
  bool cache_bandwidth = false;
  bool wave_overhead = false;
  bool iteration_floor = false;
  bool elementwise_rate = false;
  // Upper bound of the fitted efficiencies: 1 where the peak is a datasheet figure; more
  // where the peak is itself a measurement (a CPU probe) that other shapes may beat.
  double max_efficiency = 1.0;

  // How many parameters are free: the fewest points a fit needs.
  int count() const {
    return compute_efficiency + memory_efficiency + saturation_fraction + combine_exponent +
           overhead + cache_bandwidth + wave_overhead + iteration_floor + elementwise_rate;
  }
};

struct FitResult {
  KernelModel model;
  double train_mape_pct = 0.0;  // mean |pred - meas| / meas over the points fitted, percent
  int points = 0;
};

// Throws UserError if there are fewer points than free parameters.
FitResult fit_kernel_model(KernelClass c, const std::vector<Measurement>& points,
                           const KernelModel& start, const FreeParameters& free);

// |predicted - measured| / measured for each point, percent.
std::vector<double> percent_errors(KernelClass c, const KernelModel& model,
                                   const std::vector<Measurement>& points);
double mean_of(const std::vector<double>& v);
double max_of(const std::vector<double>& v);

// A deterministic split: every `every`-th point (the 2nd, then every `every` after) is held
// out; the rest train. Both keep their order.
struct Split {
  std::vector<Measurement> train;
  std::vector<Measurement> holdout;
};
Split split_holdout(const std::vector<Measurement>& points, int every);

// Leave-one-out: each point predicted by a model fitted to all the others. Percent errors,
// in the order of `points`.
std::vector<double> leave_one_out_errors(KernelClass c, const std::vector<Measurement>& points,
                                         const KernelModel& start, const FreeParameters& free);

}  // namespace llmsim::calibration
