// Device peaks, the fitting and held-out helpers shared by the published_tables_*.cpp files,
// and one profile per GPU: which class comes from which table, and which rule stands in for
// the classes without one.

#include "costmodel/time/calibration/published_tables.hpp"

#include <optional>

#include <fmt/format.h>

#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/time/calibration/published_tables_internal.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

DevicePeaks read_device_peaks(const std::string& hardware_csv, const std::string& gpu) {
  const CsvTable t = CsvTable::load(hardware_csv);
  DevicePeaks p;
  p.gpu = gpu;
  std::vector<std::string> used;
  auto get = [&](const std::string& metric, const std::string& unit) {
    for (std::size_t r = 0; r < t.rows(); ++r) {
      if (t.text(r, "gpu") == gpu && t.text(r, "metric") == metric) {
        if (t.text(r, "value") == "n/a") return 0.0;  // the GPU lacks it (FP8 on Ampere)
        if (t.text(r, "unit") != unit) {
          throw UserError(fmt::format("{} = '{}': expected unit {}", t.where(r, "unit"),
                                      t.text(r, "unit"), unit));
        }
        used.push_back(fmt::format("{} {} = {} {} ({})", gpu, metric, t.text(r, "value"), unit,
                                   t.text(r, "source")));
        return t.number(r, "value");
      }
    }
    throw UserError(fmt::format("{}: no row for gpu '{}', metric '{}'", hardware_csv, gpu, metric));
  };
  p.bf16_flops_per_s = get("bf16_fp16_tensor_dense", "TFLOPS") * 1e12;
  p.fp8_flops_per_s = get("fp8_tensor_dense", "TFLOPS") * 1e12;
  p.hbm_bytes_per_s = get("hbm_bandwidth", "TB/s") * 1e12;
  p.sm_count = static_cast<int>(get("sm_count", "SMs"));
  p.source = "hardware_specs.csv: ";
  for (std::size_t i = 0; i < used.size(); ++i) p.source += (i ? "; " : "") + used[i];
  return p;
}

namespace published {

Figure find_figure(const CsvTable& t, const std::string& kernel, const std::string& gpu,
                   const std::string& metric) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, "kernel") == kernel && t.text(r, "gpu") == gpu && t.text(r, "metric") == metric) {
      return Figure{t.number(r, "value"), t.text(r, "unit"), t.text(r, "source")};
    }
  }
  throw UserError(fmt::format("{}: no row with kernel = '{}', gpu = '{}', metric = '{}'", t.file(),
                              kernel, gpu, metric));
}

FreeParameters all_but_saturation(bool iteration_floor) {
  FreeParameters free;
  free.compute_efficiency = free.memory_efficiency = free.combine_exponent = true;
  free.overhead = free.cache_bandwidth = free.wave_overhead = true;
  free.iteration_floor = iteration_floor;
  free.max_efficiency = 1.0;
  return free;
}

namespace {

bool fp8_class(KernelClass c) {
  return c == KernelClass::kGemmFp8 || c == KernelClass::kGroupedGemmFp8;
}

}  // namespace

KernelModel at_peaks(const KernelModel& m, KernelClass c, const DevicePeaks& peaks) {
  KernelModel out = m;
  if (out.peak_flops_per_s > 0) {
    out.peak_flops_per_s = fp8_class(c) ? peaks.fp8_flops_per_s : peaks.bf16_flops_per_s;
  }
  out.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  out.units = peaks.sm_count;
  return out;
}

std::string peak_text(KernelClass c, const DevicePeaks& peaks) {
  if (c == KernelClass::kMemoryBound) return fmt::format("HBM bandwidth from {}", peaks.source);
  return fmt::format("{} peak, HBM bandwidth, SMs from {}", fp8_class(c) ? "FP8" : "BF16",
                     peaks.source);
}

namespace {

// Each point's held-out error: leave-one-out refits, or the one fit's error on the points
// it did not see. Empty where a point was fitted.
std::vector<std::optional<double>> held_out_errors(const TableFit& f, const KernelModel& model) {
  const KernelClass c = f.kernel_class;
  std::vector<std::optional<double>> err(f.points.size());
  for (std::size_t i = 0; i < f.points.size(); ++i) {
    if (f.holdout == Holdout::kChecksOnly) continue;
    if (f.holdout == Holdout::kEveryFourth) {
      if (i % 4 == 1) err[i] = percent_errors(c, model, {f.points[i]})[0];
      continue;
    }
    std::vector<Measurement> rest;
    for (std::size_t j = 0; j < f.points.size(); ++j) {
      if (j != i) rest.push_back(f.points[j]);
    }
    err[i] = percent_errors(c, fit_kernel_model(c, rest, f.start, f.free).model, {f.points[i]})[0];
  }
  return err;
}

ProfilePoint profile_point(const ClassProfile& cp, const Measurement& m, bool held_out,
                           std::optional<double> error) {
  ProfilePoint pt;
  pt.shape = m.shape;
  pt.measured_s = m.seconds;
  pt.predicted_s = predict_work_seconds(
      cp.model, work_of(cp.kernel_class, m.shape, cp.model.tile, cp.model.units));
  pt.held_out = held_out;
  pt.holdout_error_pct = error;
  pt.label = m.label;
  return pt;
}

}  // namespace

ClassProfile fit_for_target(const TableFit& f, const DevicePeaks& target, double clock_mhz,
                            const std::string& clock_source) {
  ClassProfile cp = fit_published_class(f);
  cp.peak_source = peak_text(cp.kernel_class, target);
  cp.clock_mhz = clock_mhz;
  cp.clock_source = clock_source;
  return cp;
}

ClassProfile fit_published_class(const TableFit& f) {
  const KernelClass c = f.kernel_class;
  const bool loo = f.holdout == Holdout::kLeaveOneOut;
  const bool every_fourth = f.holdout == Holdout::kEveryFourth;
  std::vector<Measurement> train;
  for (std::size_t i = 0; i < f.points.size(); ++i) {
    if (!every_fourth || i % 4 != 1) train.push_back(f.points[i]);
  }
  // Points and errors are the fit's, on the rows' own GPU; the class's model is moved to
  // the profile's GPU at the end.
  ClassProfile cp;
  cp.kernel_class = c;
  cp.model = fit_kernel_model(c, train, f.start, f.free).model;
  const std::vector<std::optional<double>> err = held_out_errors(f, cp.model);
  std::vector<double> held;
  for (std::size_t i = 0; i < f.points.size(); ++i) {
    cp.points.push_back(profile_point(cp, f.points[i], !loo && err[i].has_value(), err[i]));
    if (err[i]) held.push_back(*err[i]);
  }
  for (Measurement m : f.checks) {
    const double e = percent_errors(c, cp.model, {m})[0];
    m.label = "check, never fitted: " + m.label;
    cp.points.push_back(profile_point(cp, m, true, e));
    held.push_back(e);
  }
  cp.holdout_method = loo            ? "leave-one-out"
                      : every_fourth ? "every 4th row (2nd, 6th, ...) held out of the fit"
                                     : "none of the fitted rows (one row)";
  if (!f.checks.empty()) {
    cp.holdout_method += fmt::format(
        "; {} row(s) of another benchmark held out as checks, never fitted", f.checks.size());
  }
  cp.fit_points = static_cast<int>(train.size());
  cp.holdout_points = static_cast<int>(held.size());
  cp.train_mape_pct = mean_of(percent_errors(c, cp.model, train));
  if (!held.empty()) {
    cp.holdout_mape_pct = mean_of(held);
    cp.holdout_max_pct = max_of(held);
  }
  if (f.transfer) cp.model = f.transfer(cp.model);
  return cp;
}

void as_sibling(ClassProfile& c, const std::string& rule) {
  c.assumption = rule + (c.assumption.empty() ? "" : "; " + c.assumption);
  c.holdout_method += std::string("; ") + kSiblingHoldout;
}

}  // namespace published

}  // namespace llmsim::calibration
