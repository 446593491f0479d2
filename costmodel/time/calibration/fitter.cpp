#include "costmodel/time/calibration/fitter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

enum Param { kCompute, kMemory, kSaturation, kExponent, kOverhead, kCache, kWave, kFloor, kElem, kNumParams };

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

// Maps unconstrained values to the model's parameters and back.
struct Mapping {
  std::vector<Param> free;
  KernelModel base;
  double cap = 1.0;  // efficiencies lie in (0, cap)

  KernelModel model(const std::vector<double>& theta) const {
    KernelModel m = base;
    for (std::size_t i = 0; i < free.size(); ++i) {
      const double t = std::clamp(theta[i], -60.0, 60.0);
      switch (free[i]) {
        case kCompute: m.compute_efficiency = cap * sigmoid(t); break;
        case kMemory: m.memory_efficiency = cap * sigmoid(t); break;
        case kCache: m.cache_bandwidth_factor = std::exp(t); break;
        case kWave: m.wave_overhead_s = std::exp(t); break;
        case kFloor: m.iteration_floor_s = std::exp(t); break;
        case kElem: m.elementwise_per_s = std::exp(t); break;
        case kSaturation: m.saturation_fraction = sigmoid(t); break;
        case kExponent: m.combine_exponent = 1.0 + std::exp(t); break;
        case kOverhead: m.overhead_s = std::exp(t); break;
        case kNumParams: break;
      }
    }
    return m;
  }

  std::vector<double> theta(const KernelModel& m) const {
    std::vector<double> t;
    for (Param p : free) {
      switch (p) {
        case kCompute:
          t.push_back(logit(std::clamp(m.compute_efficiency / cap, 1e-6, 1.0 - 1e-6)));
          break;
        case kMemory:
          t.push_back(logit(std::clamp(m.memory_efficiency / cap, 1e-6, 1.0 - 1e-6)));
          break;
        case kCache: t.push_back(std::log(std::max(1e-6, m.cache_bandwidth_factor))); break;
        case kWave: t.push_back(std::log(std::max(1e-12, m.wave_overhead_s))); break;
        case kFloor: t.push_back(std::log(std::max(1e-12, m.iteration_floor_s))); break;
        case kElem: t.push_back(std::log(std::max(1.0, m.elementwise_per_s))); break;
        case kSaturation:
          t.push_back(logit(std::clamp(m.saturation_fraction, 1e-6, 1.0 - 1e-6)));
          break;
        case kExponent: t.push_back(std::log(std::max(1e-6, m.combine_exponent - 1.0))); break;
        case kOverhead: t.push_back(std::log(std::max(1e-12, m.overhead_s))); break;
        case kNumParams: break;
      }
    }
    return t;
  }
};

struct Problem {
  KernelClass c;
  std::vector<KernelWork> work;
  std::vector<double> log_seconds;

  std::vector<double> residuals(const KernelModel& m) const {
    std::vector<double> r(work.size());
    for (std::size_t i = 0; i < work.size(); ++i) {
      const double t = predict_work_seconds(m, work[i]);
      r[i] = std::log(std::max(t, 1e-30)) - log_seconds[i];
    }
    return r;
  }
};

double sum_sq(const std::vector<double>& r) {
  double s = 0.0;
  for (double x : r) s += x * x;
  return s;
}

// Solves A x = b for a small symmetric positive definite A (Cholesky). False if singular.
bool solve_spd(std::vector<double> a, std::vector<double> b, std::size_t n,
               std::vector<double>& x) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0.0)) return false;
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  x = b;
  return true;
}

// Levenberg-Marquardt from theta; returns the final sum of squares and updates theta.
double levenberg_marquardt(const Problem& prob, const Mapping& map, std::vector<double>& theta) {
  const std::size_t n = theta.size();
  const std::size_t m = prob.work.size();
  std::vector<double> r = prob.residuals(map.model(theta));
  double cost = sum_sq(r);
  double lambda = 1e-3;
  for (int iter = 0; iter < 300; ++iter) {
    // Central-difference Jacobian of the residuals in theta.
    std::vector<double> jac(m * n);
    for (std::size_t j = 0; j < n; ++j) {
      const double h = 1e-5 * std::max(1.0, std::abs(theta[j]));
      std::vector<double> tp = theta, tm = theta;
      tp[j] += h;
      tm[j] -= h;
      const auto rp = prob.residuals(map.model(tp));
      const auto rm = prob.residuals(map.model(tm));
      for (std::size_t i = 0; i < m; ++i) jac[i * n + j] = (rp[i] - rm[i]) / (2.0 * h);
    }
    std::vector<double> jtj(n * n, 0.0), jtr(n, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t a = 0; a < n; ++a) {
        jtr[a] += jac[i * n + a] * r[i];
        for (std::size_t b = 0; b < n; ++b) jtj[a * n + b] += jac[i * n + a] * jac[i * n + b];
      }
    }
    bool improved = false;
    while (lambda < 1e12) {
      std::vector<double> lhs = jtj, rhs(n), step;
      for (std::size_t a = 0; a < n; ++a) {
        lhs[a * n + a] += lambda * (jtj[a * n + a] + 1e-9);
        rhs[a] = -jtr[a];
      }
      if (solve_spd(lhs, rhs, n, step)) {
        std::vector<double> trial = theta;
        for (std::size_t a = 0; a < n; ++a) trial[a] += step[a];
        const auto rt = prob.residuals(map.model(trial));
        const double ct = sum_sq(rt);
        if (std::isfinite(ct) && ct < cost) {
          const bool small = cost - ct < 1e-14 * (1.0 + cost);
          theta = trial;
          r = rt;
          cost = ct;
          lambda = std::max(1e-12, lambda / 3.0);
          improved = !small;
          break;
        }
      }
      lambda *= 4.0;
    }
    if (!improved) break;
  }
  return cost;
}

}  // namespace

FitResult fit_kernel_model(KernelClass c, const std::vector<Measurement>& points,
                           const KernelModel& start, const FreeParameters& free) {
  Mapping map;
  map.base = start;
  if (free.compute_efficiency) map.free.push_back(kCompute);
  if (free.memory_efficiency) map.free.push_back(kMemory);
  if (free.saturation_fraction) map.free.push_back(kSaturation);
  if (free.combine_exponent) map.free.push_back(kExponent);
  if (free.overhead) map.free.push_back(kOverhead);
  if (free.cache_bandwidth) map.free.push_back(kCache);
  if (free.wave_overhead) map.free.push_back(kWave);
  if (free.iteration_floor) map.free.push_back(kFloor);
  if (free.elementwise_rate) map.free.push_back(kElem);
  map.cap = free.max_efficiency;
  if (points.size() < map.free.size()) {
    throw UserError(fmt::format("kernel class {}: {} points cannot fit {} free parameters",
                                kernel_class_name(c), points.size(), map.free.size()));
  }
  Problem prob{c, {}, {}};
  for (const auto& p : points) {
    LLMSIM_CHECK(p.seconds > 0.0, "a measurement with no time");
    prob.work.push_back(work_of(c, p.shape, start.tile, start.units));
    prob.log_seconds.push_back(std::log(p.seconds));
  }
  // Starting points: the given model, then a small grid over the parameters whose fits
  // have local minima (the exponent and the saturation fraction).
  std::vector<KernelModel> starts{start};
  for (double p : {1.0, 2.0, 6.0}) {
    for (double s : {0.05, 0.3, 0.8}) {
      KernelModel m = start;
      if (free.combine_exponent) m.combine_exponent = 1.0 + p;
      if (free.saturation_fraction) m.saturation_fraction = s;
      if (free.cache_bandwidth && m.cache_bandwidth_factor <= 0.0) m.cache_bandwidth_factor = 3.0;
      if (free.wave_overhead && m.wave_overhead_s <= 0.0) m.wave_overhead_s = 1e-7;
      if (free.iteration_floor && m.iteration_floor_s <= 0.0) m.iteration_floor_s = 1e-7;
      if (free.elementwise_rate && m.elementwise_per_s <= 0.0) m.elementwise_per_s = 1e9;
      starts.push_back(m);
    }
  }
  double best = std::numeric_limits<double>::infinity();
  KernelModel best_model = start;
  for (const auto& s0 : starts) {
    std::vector<double> theta = map.theta(s0);
    const double cost = levenberg_marquardt(prob, map, theta);
    if (cost < best) {
      best = cost;
      best_model = map.model(theta);
    }
  }
  FitResult out;
  out.model = best_model;
  out.points = static_cast<int>(points.size());
  out.train_mape_pct = mean_of(percent_errors(c, best_model, points));
  return out;
}

std::vector<double> percent_errors(KernelClass c, const KernelModel& model,
                                   const std::vector<Measurement>& points) {
  std::vector<double> e;
  for (const auto& p : points) {
    const double t = predict_work_seconds(model, work_of(c, p.shape, model.tile, model.units));
    e.push_back(100.0 * std::abs(t - p.seconds) / p.seconds);
  }
  return e;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double max_of(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, x);
  return m;
}

Split split_holdout(const std::vector<Measurement>& points, int every) {
  LLMSIM_CHECK(every >= 2, "holdout stride below 2");
  Split s;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i % static_cast<std::size_t>(every) == 1) s.holdout.push_back(points[i]);
    else s.train.push_back(points[i]);
  }
  return s;
}

std::vector<double> leave_one_out_errors(KernelClass c, const std::vector<Measurement>& points,
                                         const KernelModel& start, const FreeParameters& free) {
  std::vector<double> errors;
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::vector<Measurement> rest;
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (j != i) rest.push_back(points[j]);
    }
    const FitResult f = fit_kernel_model(c, rest, start, free);
    errors.push_back(percent_errors(c, f.model, {points[i]})[0]);
  }
  return errors;
}

}  // namespace llmsim::calibration
