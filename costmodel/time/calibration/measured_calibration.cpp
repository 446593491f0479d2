#include "costmodel/time/calibration/measured_calibration.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// A shape this far from the first fit is suspected of having met a busy (or, paired, an
// unusually fast) stretch in every pass: it is measured kRemeasureRounds more times, while the
// class's time budget lasts, and the class refitted. Fastest-pass plans re-measure only shapes
// above the fit, since load only slows a kernel down; paired plans take a median, which a
// stretch can move either way, so they re-measure both.
constexpr double kOutlierPct = 10.0;
constexpr int kRemeasureRounds = 3;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The q-quantile (0..1) of `v`, linear between order statistics; v is not empty.
double quantile(std::vector<double> v, double q) {
  LLMSIM_CHECK(!v.empty(), "quantile of nothing");
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// One shape's passes.
struct ShapeSamples {
  Measurement fastest;        // the fastest pass (label, its repetitions' median and spread)
  std::vector<double> ratio;  // paired: each pass's time / the reference's either side
  std::vector<double> pass_s; // each pass's time
};

// One class's passes: its shapes' and, paired, every timing of the reference shape.
struct ClassSamples {
  std::vector<ShapeSamples> shapes;
  std::vector<double> reference_s;
};

struct Counter {
  const MeasurementPlan& plan;
  int done = 0;
  int total = 0;
  // `extra`: a measurement beyond the planned passes (a re-measure): it grows the total too.
  Measurement time(KernelClass c, const KernelShape& shape, bool extra) {
    total += extra ? 1 : 0;
    if (plan.progress) plan.progress(CalibrationProgress{c, done, total, describe_shape(c, shape)});
    const Measurement m = plan.measure(c, shape);
    ++done;
    return m;
  }
  // One pass of `grid[i]`; paired, between timings of the reference (`before`: the timing
  // just made, or 0 to make one).
  void pass(KernelClass c, const std::vector<KernelShape>& grid, std::size_t i, ClassSamples& cs,
            double& before, bool extra) {
    if (plan.paired && before <= 0.0) {
      before = time(c, grid.front(), extra).seconds;
      cs.reference_s.push_back(before);
    }
    const Measurement m = time(c, grid[i], extra);
    ShapeSamples& s = cs.shapes[i];
    if (s.pass_s.empty() || m.seconds < s.fastest.seconds) s.fastest = m;
    s.pass_s.push_back(m.seconds);
    if (!plan.paired) return;
    const double after = time(c, grid.front(), extra).seconds;
    cs.reference_s.push_back(after);
    s.ratio.push_back(m.seconds / std::sqrt(before * after));
    before = after;
  }
};

// Planned measurements of one pass over a grid of n shapes.
int per_pass(const MeasurementPlan& plan, std::size_t n) {
  return static_cast<int>(plan.paired ? 2 * n + 1 : n);
}

// The class's grid in rounds: other processes on a shared machine slow down whole stretches
// of time, and spreading a shape's repetitions over passes keeps one stretch from deciding
// it. Passes after the first plan.min_rounds stop at `deadline_s`.
ClassSamples measure_grid(KernelClass c, const std::vector<KernelShape>& grid, Counter& counter,
                          Clock::time_point started, double deadline_s) {
  ClassSamples cs;
  cs.shapes.resize(grid.size());
  for (int round = 0; round < counter.plan.rounds; ++round) {
    if (round >= counter.plan.min_rounds && seconds_since(started) > deadline_s) {
      counter.done += per_pass(counter.plan, grid.size()) * (counter.plan.rounds - round);
      break;
    }
    double before = 0.0;
    for (std::size_t i = 0; i < grid.size(); ++i) counter.pass(c, grid, i, cs, before, false);
  }
  return cs;
}

// Each shape's time (see the top of measured_calibration.hpp). Paired: the median ratio to
// the reference times the reference's fastest; median_s the median pass; spread the ratios'
// (p90 - p10) / median over passes (one pass: its repetitions'). Otherwise the fastest pass
// as measured.
std::vector<Measurement> points_of(const ClassSamples& cs, bool paired) {
  std::vector<Measurement> out;
  for (const ShapeSamples& s : cs.shapes) {
    Measurement m = s.fastest;
    if (paired) {
      const double mid = quantile(s.ratio, 0.5);
      m.seconds = quantile(cs.reference_s, 0.0) * mid;
      m.median_s = quantile(s.pass_s, 0.5);
      if (s.ratio.size() >= 2) m.spread = (quantile(s.ratio, 0.9) - quantile(s.ratio, 0.1)) / mid;
    }
    out.push_back(m);
  }
  return out;
}

FitResult fit_points(KernelClass c, const std::vector<Measurement>& points, const ClassSetup& setup) {
  const Split split = split_holdout(points, 4);
  return fit_kernel_model(c, split.train, setup.start, setup.free);
}

// Re-measures the shapes far from the fit, while the budget lasts; returns how many were.
int remeasure_outliers(KernelClass c, const std::vector<KernelShape>& grid, ClassSamples& cs,
                       const KernelModel& model, Counter& counter, Clock::time_point started,
                       double deadline_s) {
  const std::vector<Measurement> points = points_of(cs, counter.plan.paired);
  int again = 0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const double predicted =
        predict_work_seconds(model, work_of(c, grid[i], model.tile, model.units));
    const double off_pct = 100.0 * (points[i].seconds - predicted) / predicted;
    if (!(off_pct > kOutlierPct || (counter.plan.paired && off_pct < -kOutlierPct))) continue;
    int r = 0;
    for (; r < kRemeasureRounds && seconds_since(started) <= deadline_s; ++r) {
      double before = 0.0;
      counter.pass(c, grid, i, cs, before, true);
    }
    again += r > 0 ? 1 : 0;
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
      !plan.classes.empty() && plan.rounds >= 1 && plan.min_rounds >= 1 && plan.shapes &&
          plan.measure && plan.setup,
      "incomplete measurement plan");
  Counter counter{plan};
  for (KernelClass c : plan.classes) counter.total += per_pass(plan, plan.shapes(c).size());
  counter.total *= plan.rounds;
  // The time budget bounds the whole run however loaded the machine: each class has its share.
  const auto started = Clock::now();
  std::vector<ClassProfile> out;
  for (std::size_t k = 0; k < plan.classes.size(); ++k) {
    const KernelClass c = plan.classes[k];
    const double deadline =
        plan.budget_s * static_cast<double>(k + 1) / static_cast<double>(plan.classes.size());
    const std::vector<KernelShape> grid = plan.shapes(c);
    ClassSamples samples = measure_grid(c, grid, counter, started, deadline);
    const ClassSetup setup = plan.setup(c);
    const KernelModel first = fit_points(c, points_of(samples, plan.paired), setup).model;
    const int again = remeasure_outliers(c, grid, samples, first, counter, started, deadline);
    ClassProfile cp = class_profile(c, points_of(samples, plan.paired), setup);
    const std::size_t passes = samples.shapes.empty() ? 0 : samples.shapes.front().pass_s.size();
    cp.holdout_method += plan.paired
                             ? fmt::format("; {} pass(es), each shape timed between two timings "
                                           "of the first shape: median ratio x its fastest",
                                           passes)
                             : fmt::format("; fastest of {} pass(es)", passes);
    if (again > 0) {
      cp.holdout_method += fmt::format("; {} shape(s) over {}% {} the first fit were measured up "
                                       "to {} more times",
                                       again, kOutlierPct, plan.paired ? "off" : "above",
                                       kRemeasureRounds);
    }
    out.push_back(std::move(cp));
  }
  if (plan.progress) {
    plan.progress(CalibrationProgress{plan.classes.back(), counter.total, counter.total, "done"});
  }
  return out;
}

}  // namespace llmsim::calibration
