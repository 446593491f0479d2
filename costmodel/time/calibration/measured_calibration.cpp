#include "costmodel/time/calibration/measured_calibration.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// A shape this far from the screening fit is suspected of having met a busy (or, paired, an
// unusually fast) stretch in every pass, or most: it is measured again, as many more times as
// it was (at least kRemeasureRounds; once at least, more while the time budget lasts), and the
// class refitted. Fastest-pass plans re-measure only shapes above the fit, since load only
// slows a kernel down; paired plans take a median, which stretches can move either way, so
// they re-measure both.
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

// Whether a paired shape is known well enough to stop measuring it: the standard error of a
// median of n ratios is about 1.25 sigma / sqrt(n), sigma about (p90 - p10) / 2.56 of the
// ratios (normal); it must be within kSettledPct. Most shapes of compute kernels on a busy
// machine settle in the first 4 passes (spread 1 to 5%); the others, and 2-thread
// collectives (whose ratios spread 20 to 50% with a CPU busy), take the passes they leave. Per
// shape, not per class: one shape that spread 21% while its class's others spread 1 to 2%
// missed the fit by 9.5% after 4 passes.
constexpr double kSettledPct = 1.0;

bool settled(const ShapeSamples& s) {
  if (s.ratio.size() < 2) return false;
  const double mid = quantile(s.ratio, 0.5);
  const double sigma = (quantile(s.ratio, 0.9) - quantile(s.ratio, 0.1)) / mid / 2.56;
  return 100.0 * 1.25 * sigma / std::sqrt(static_cast<double>(s.ratio.size())) < kSettledPct;
}

// Every class's grid in rounds, one pass of each class in turn: other processes on a shared
// machine slow down whole stretches of time, and spreading each shape's repetitions over
// passes, and each pass over the classes, keeps one stretch from deciding a shape or a class.
// After the first plan.min_rounds, a paired shape that has settled takes no more passes, and
// passes stop once kPassShare of the budget is spent (the rest is for re-measures).
constexpr double kPassShare = 0.8;

std::vector<ClassSamples> measure_passes(const std::vector<std::vector<KernelShape>>& grids,
                                         Counter& counter, Clock::time_point started) {
  const MeasurementPlan& plan = counter.plan;
  std::vector<ClassSamples> out(grids.size());
  for (std::size_t k = 0; k < grids.size(); ++k) out[k].shapes.resize(grids[k].size());
  for (int round = 0; round < plan.rounds; ++round) {
    if (round >= plan.min_rounds && seconds_since(started) > kPassShare * plan.budget_s) {
      for (const auto& g : grids) counter.done += per_pass(plan, g.size()) * (plan.rounds - round);
      break;
    }
    for (std::size_t k = 0; k < grids.size(); ++k) {
      double before = 0.0;
      for (std::size_t i = 0; i < grids[k].size(); ++i) {
        if (round >= plan.min_rounds && plan.paired && settled(out[k].shapes[i])) {
          counter.done += 2;  // the shape and the reference after it
          before = 0.0;       // the next shape needs a reference timed just before it
          continue;
        }
        if (plan.paired && i > 0 && before <= 0.0) ++counter.total;  // that reference
        counter.pass(plan.classes[k], grids[k], i, out[k], before, false);
      }
    }
  }
  return out;
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

// The fit that finds shapes to re-measure. One shape far off bends a least-squares fit toward
// itself, and its neighbours then look off instead of it: so the training shapes more than
// kOutlierPct (and 3 times the median error) off a first try are left out of a second, while
// enough remain to fit. Only the choice of shapes to re-measure uses it; the profile is
// fitted to every training shape.
// |log(predicted / measured)|: symmetric, so a point 30 times too slow is as far off as one
// 30 times too fast (the percent error of a slow point never exceeds 100%).
double log_error(KernelClass c, const KernelModel& m, const Measurement& p) {
  const double predicted = predict_work_seconds(m, work_of(c, p.shape, m.tile, m.units));
  return std::abs(std::log(predicted / p.seconds));
}

KernelModel screening_fit(KernelClass c, const std::vector<Measurement>& points,
                          const ClassSetup& setup) {
  const Split split = split_holdout(points, 4);
  const FitResult first = fit_kernel_model(c, split.train, setup.start, setup.free);
  std::vector<double> err;
  for (const Measurement& p : split.train) err.push_back(log_error(c, first.model, p));
  const double cut = std::max(std::log1p(kOutlierPct / 100.0), 3.0 * quantile(err, 0.5));
  std::vector<Measurement> kept;
  for (std::size_t i = 0; i < err.size(); ++i) {
    if (err[i] <= cut) kept.push_back(split.train[i]);
  }
  const FitResult second = kept.size() == err.size() || 2 * kept.size() < err.size()
                               ? first
                               : fit_kernel_model(c, kept, setup.start, setup.free);
  return second.model;
}

// Re-measures the shapes far from the fit: once each, more while the budget lasts; returns
// how many were.
int remeasure_outliers(KernelClass c, const std::vector<KernelShape>& grid, ClassSamples& cs,
                       const KernelModel& model, Counter& counter, Clock::time_point started) {
  const std::vector<Measurement> points = points_of(cs, counter.plan.paired);
  int again = 0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const double predicted =
        predict_work_seconds(model, work_of(c, grid[i], model.tile, model.units));
    const double off_pct = 100.0 * (points[i].seconds - predicted) / predicted;
    if (!(off_pct > kOutlierPct || (counter.plan.paired && off_pct < -kOutlierPct))) continue;
    const int rounds =
        std::max<int>(kRemeasureRounds, static_cast<int>(cs.shapes[i].pass_s.size()));
    int r = 0;
    for (; r < rounds && (r == 0 || seconds_since(started) <= counter.plan.budget_s); ++r) {
      double before = 0.0;
      counter.pass(c, grid, i, cs, before, true);
    }
    again += r > 0 ? 1 : 0;
  }
  return again;
}

// Training shapes still more than kGrossPct off the screening fit after re-measuring (either
// way: over 1.5 times the fit's time or under 1 / 1.5 of it): their time is the machine's
// state (a 2-thread all-reduce of 229 KiB at 1.7 ms with its neighbours at 26 and 39 us, both
// CPUs busy), not the kernel's, and one such point bends a least-squares fit of 9 by 40 to
// 80% everywhere. They are left out of the fit and said so;
// held-out shapes are never left out, so the held-out error still counts every one. None is
// left out if that would leave fewer than half the training shapes, or fewer than the fit has
// free parameters (a loaded machine must not make the fit impossible).
constexpr double kGrossPct = 50.0;

std::vector<bool> gross_outliers(KernelClass c, const std::vector<Measurement>& points,
                                 const ClassSetup& setup) {
  const KernelModel m = screening_fit(c, points, setup);
  std::vector<bool> out(points.size(), false);
  std::size_t train = 0, left = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % 4 == 1) continue;  // held out (split_holdout's every 4th from the 2nd)
    ++train;
    if (log_error(c, m, points[i]) > std::log1p(kGrossPct / 100.0)) {
      out[i] = true;
      ++left;
    }
  }
  const bool too_few = static_cast<int>(train - left) < setup.free.count();
  if (2 * left > train || too_few) std::fill(out.begin(), out.end(), false);
  return out;
}

ClassProfile class_profile(KernelClass c, const std::vector<Measurement>& points,
                           const ClassSetup& setup, const std::vector<bool>& left_out) {
  Split split = split_holdout(points, 4);
  split.train.clear();
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % 4 != 1 && !left_out[i]) split.train.push_back(points[i]);
  }
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
    pt.label = points[i].label + (left_out[i] ? " [left out of the fit]" : "");
    cp.points.push_back(pt);
  }
  return cp;
}

// "4" or "4 to 19": the passes a class's shapes had (settled shapes stop early).
std::string pass_counts(const ClassSamples& cs) {
  std::size_t lo = 0, hi = 0;
  for (const ShapeSamples& s : cs.shapes) {
    lo = lo == 0 ? s.pass_s.size() : std::min(lo, s.pass_s.size());
    hi = std::max(hi, s.pass_s.size());
  }
  return lo == hi ? fmt::format("{}", hi) : fmt::format("{} to {}", lo, hi);
}

}  // namespace

std::vector<ClassProfile> measure_and_fit(const MeasurementPlan& plan) {
  LLMSIM_CHECK(
      !plan.classes.empty() && plan.rounds >= 1 && plan.min_rounds >= 1 && plan.shapes &&
          plan.measure && plan.setup,
      "incomplete measurement plan");
  Counter counter{plan};
  std::vector<std::vector<KernelShape>> grids;
  for (KernelClass c : plan.classes) {
    grids.push_back(plan.shapes(c));
    counter.total += per_pass(plan, grids.back().size()) * plan.rounds;
  }
  // The time budget bounds the passes however loaded the machine.
  const auto started = Clock::now();
  std::vector<ClassSamples> samples = measure_passes(grids, counter, started);
  std::vector<ClassProfile> out;
  for (std::size_t k = 0; k < plan.classes.size(); ++k) {
    const KernelClass c = plan.classes[k];
    const ClassSetup setup = plan.setup(c);
    const KernelModel first = screening_fit(c, points_of(samples[k], plan.paired), setup);
    const int again = remeasure_outliers(c, grids[k], samples[k], first, counter, started);
    const std::vector<Measurement> points = points_of(samples[k], plan.paired);
    const std::vector<bool> left_out = gross_outliers(c, points, setup);
    ClassProfile cp = class_profile(c, points, setup, left_out);
    cp.holdout_method += plan.paired ? fmt::format(
                                           "; {} pass(es), each shape timed between two timings "
                                           "of the first shape: median ratio x its fastest",
                                           pass_counts(samples[k]))
                                     : fmt::format("; fastest of {} pass(es)",
                                                   pass_counts(samples[k]));
    if (again > 0) {
      cp.holdout_method += fmt::format("; {} shape(s) over {}% {} a screening fit were measured "
                                       "again (up to as many more passes, at least {})",
                                       again, kOutlierPct, plan.paired ? "off" : "above",
                                       kRemeasureRounds);
    }
    const auto n_left = std::count(left_out.begin(), left_out.end(), true);
    if (n_left > 0) {
      cp.holdout_method += fmt::format("; {} training shape(s) still over {}% off it left out "
                                       "of the fit",
                                       n_left, kGrossPct);
    }
    out.push_back(std::move(cp));
  }
  if (plan.progress) {
    plan.progress(CalibrationProgress{plan.classes.back(), counter.total, counter.total, "done"});
  }
  return out;
}

}  // namespace llmsim::calibration
