#include "costmodel/time/calibration/measured_calibration.hpp"

#include <chrono>

#include "sim/check.hpp"

namespace llmsim::calibration {

std::vector<ClassProfile> measure_and_fit(const MeasurementPlan& plan) {
  LLMSIM_CHECK(
      !plan.classes.empty() && plan.rounds >= 1 && plan.shapes && plan.measure && plan.setup,
      "incomplete measurement plan");
  int total = 0;
  for (KernelClass c : plan.classes) total += static_cast<int>(plan.shapes(c).size());
  // Each class's grid is measured in `rounds` passes, shape after shape, and each shape keeps
  // its fastest pass: other processes on a shared machine slow down whole stretches of time,
  // and spreading a shape's repetitions over passes keeps one busy stretch from biasing it.
  // The time budget bounds the whole run however loaded the machine: passes after the first
  // stop once the class's share of the budget is spent.
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  total *= plan.rounds;
  int done = 0;
  std::size_t class_index = 0;
  std::vector<ClassProfile> out;
  for (KernelClass c : plan.classes) {
    ++class_index;
    const double class_deadline =
        plan.budget_s * static_cast<double>(class_index) / static_cast<double>(plan.classes.size());
    const std::vector<KernelShape> grid = plan.shapes(c);
    std::vector<Measurement> points(grid.size());
    for (int round = 0; round < plan.rounds; ++round) {
      if (round > 0 && elapsed() > class_deadline) {
        done += static_cast<int>(grid.size()) * (plan.rounds - round);
        break;
      }
      for (std::size_t i = 0; i < grid.size(); ++i) {
        if (plan.progress) {
          plan.progress(CalibrationProgress{c, done, total, describe_shape(c, grid[i])});
        }
        const Measurement m = plan.measure(c, grid[i]);
        if (round == 0 || m.seconds < points[i].seconds) points[i] = m;
        ++done;
      }
    }
    const ClassSetup setup = plan.setup(c);
    const Split split = split_holdout(points, 4);
    const FitResult fit = fit_kernel_model(c, split.train, setup.start, setup.free);
    const std::vector<double> held = percent_errors(c, fit.model, split.holdout);
    ClassProfile cp;
    cp.kernel_class = c;
    cp.model = fit.model;
    cp.peak_source = setup.peak_source;
    // The kernel's name: the first point's label without its shape and repetitions.
    cp.source =
        points.empty()
            ? ""
            : points.front().label.substr(
                  0, points.front().label.find(' ' + describe_shape(c, points.front().shape)));
    cp.holdout_method = "every 4th shape (2nd, 6th, ...) held out of the fit";
    cp.fit_points = fit.points;
    cp.holdout_points = static_cast<int>(split.holdout.size());
    cp.train_mape_pct = fit.train_mape_pct;
    cp.holdout_mape_pct = mean_of(held);
    cp.holdout_max_pct = max_of(held);
    for (std::size_t i = 0; i < points.size(); ++i) {
      ProfilePoint pt;
      pt.shape = points[i].shape;
      pt.measured_s = points[i].seconds;
      pt.median_s = points[i].median_s;
      pt.spread = points[i].spread;
      pt.predicted_s =
          predict_work_seconds(cp.model, work_of(c, pt.shape, cp.model.tile, cp.model.units));
      pt.held_out = i % 4 == 1;
      pt.label = points[i].label;
      cp.points.push_back(pt);
    }
    out.push_back(cp);
  }
  if (plan.progress) {
    plan.progress(CalibrationProgress{plan.classes.back(), total, total, "done"});
  }
  return out;
}

}  // namespace llmsim::calibration
