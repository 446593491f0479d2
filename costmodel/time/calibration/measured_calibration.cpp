#include "costmodel/time/calibration/measured_calibration.hpp"

#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// Load only ever slows a kernel down. A shape measured this much above the fitted model is
// suspected of having met a busy stretch in every pass: it is measured again (keeping the
// fastest) up to kRemeasureRounds times, and the class refitted. Shapes below the model are
// left alone, since no load makes a kernel faster.
constexpr double kSlowOutlierPct = 10.0;
constexpr int kRemeasureRounds = 3;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Counter {
  const MeasurementPlan& plan;
  int done = 0;
  int total = 0;
  // `extra`: a measurement beyond the planned passes (a re-measure): it grows the total too.
  void measure(KernelClass c, const KernelShape& shape, Measurement& best, bool first,
               bool extra = false) {
    total += extra ? 1 : 0;
    if (plan.progress) plan.progress(CalibrationProgress{c, done, total, describe_shape(c, shape)});
    const Measurement m = plan.measure(c, shape);
    if (first || m.seconds < best.seconds) best = m;
    ++done;
  }
};

// The class's grid in rounds, each shape keeping its fastest pass: other processes on a shared
// machine slow down whole stretches of time, and spreading a shape's repetitions over passes
// keeps one busy stretch from biasing it. Passes after the first stop at `deadline_s`.
std::vector<Measurement> measure_grid(KernelClass c, const std::vector<KernelShape>& grid,
                                      Counter& counter, Clock::time_point started,
                                      double deadline_s) {
  std::vector<Measurement> points(grid.size());
  for (int round = 0; round < counter.plan.rounds; ++round) {
    if (round > 0 && seconds_since(started) > deadline_s) {
      counter.done += static_cast<int>(grid.size()) * (counter.plan.rounds - round);
      break;
    }
    for (std::size_t i = 0; i < grid.size(); ++i) counter.measure(c, grid[i], points[i], round == 0);
  }
  return points;
}

FitResult fit_points(KernelClass c, const std::vector<Measurement>& points, const ClassSetup& setup) {
  const Split split = split_holdout(points, 4);
  return fit_kernel_model(c, split.train, setup.start, setup.free);
}

// Re-measures the shapes far slower than the fit, while the budget lasts; returns how many.
int remeasure_slow(KernelClass c, std::vector<Measurement>& points, const KernelModel& model,
                   Counter& counter, Clock::time_point started, double deadline_s) {
  int again = 0;
  for (Measurement& m : points) {
    const double predicted = predict_work_seconds(model, work_of(c, m.shape, model.tile, model.units));
    if (!(m.seconds > predicted * (1.0 + kSlowOutlierPct / 100.0))) continue;
    for (int r = 0; r < kRemeasureRounds && seconds_since(started) <= deadline_s; ++r) {
      counter.measure(c, m.shape, m, false, true);
    }
    ++again;
  }
  return again;
}

ClassProfile class_profile(KernelClass c, const std::vector<Measurement>& points,
                           const ClassSetup& setup) {
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
  return cp;
}

}  // namespace

std::vector<ClassProfile> measure_and_fit(const MeasurementPlan& plan) {
  LLMSIM_CHECK(
      !plan.classes.empty() && plan.rounds >= 1 && plan.shapes && plan.measure && plan.setup,
      "incomplete measurement plan");
  Counter counter{plan};
  for (KernelClass c : plan.classes) counter.total += static_cast<int>(plan.shapes(c).size());
  counter.total *= plan.rounds;
  // The time budget bounds the whole run however loaded the machine: each class has its share.
  const auto started = Clock::now();
  std::vector<ClassProfile> out;
  for (std::size_t k = 0; k < plan.classes.size(); ++k) {
    const KernelClass c = plan.classes[k];
    const double deadline =
        plan.budget_s * static_cast<double>(k + 1) / static_cast<double>(plan.classes.size());
    std::vector<Measurement> points = measure_grid(c, plan.shapes(c), counter, started, deadline);
    const ClassSetup setup = plan.setup(c);
    const int again = remeasure_slow(c, points, fit_points(c, points, setup).model, counter,
                                     started, deadline);
    ClassProfile cp = class_profile(c, points, setup);
    if (again > 0) {
      cp.holdout_method += fmt::format("; {} shape(s) measured over {}% above the first fit were "
                                       "measured {} more times, fastest kept", again,
                                       kSlowOutlierPct, kRemeasureRounds);
    }
    out.push_back(std::move(cp));
  }
  if (plan.progress) {
    plan.progress(CalibrationProgress{plan.classes.back(), counter.total, counter.total, "done"});
  }
  return out;
}

}  // namespace llmsim::calibration
