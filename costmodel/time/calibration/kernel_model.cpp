#include "costmodel/time/calibration/kernel_model.hpp"

#include <algorithm>
#include <cmath>

#include "sim/check.hpp"

namespace llmsim::calibration {

double predict_work_seconds(const KernelModel& model, const KernelWork& work) {
  LLMSIM_CHECK(model.units >= 1, "kernel model with no units");
  const double units = static_cast<double>(model.units);
  double t_comp = 0.0;
  double t_waves = 0.0;
  if (work.flops > 0.0) {
    LLMSIM_CHECK(model.peak_flops_per_s > 0.0 && model.compute_efficiency > 0.0,
                 "kernel model without a FLOP rate");
    const double tiles = std::max(1.0, work.tiles);
    const double waves = std::ceil(tiles / units - 1e-9);
    const double tile_flops = work.tile_flops > 0.0 ? work.tile_flops : work.flops / tiles;
    const double tile_s = tile_flops / (model.peak_flops_per_s * model.compute_efficiency / units);
    if (work.k_blocks >= 1.0 && model.iteration_floor_s > 0.0) {
      t_comp = waves * work.k_blocks * std::max(tile_s / work.k_blocks, model.iteration_floor_s);
    } else {
      t_comp = waves * tile_s;
    }
    t_waves = waves * model.wave_overhead_s;
  }
  double t_mem = 0.0;
  if (work.bytes > 0.0) {
    LLMSIM_CHECK(model.peak_bytes_per_s > 0.0 && model.memory_efficiency > 0.0,
                 "kernel model without a bandwidth");
    double share = 1.0;
    if (work.flops > 0.0 && model.saturation_fraction > 0.0) {
      const double active = std::min(std::max(1.0, work.tiles), units);
      share = std::min(1.0, active / (units * model.saturation_fraction));
    }
    t_mem = work.bytes / (model.peak_bytes_per_s * model.memory_efficiency * share);
  }
  double t_load = 0.0;
  if (work.tile_bytes > 0.0 && model.cache_bandwidth_factor > 0.0) {
    const double waves = std::ceil(std::max(1.0, work.tiles) / units - 1e-9);
    t_load = waves * work.tile_bytes /
             (model.peak_bytes_per_s * model.cache_bandwidth_factor / units);
  }
  const double t_elem =
      work.elementwise > 0.0 && model.elementwise_per_s > 0.0 ? work.elementwise / model.elementwise_per_s
                                                              : 0.0;
  const double p = std::max(1.0, model.combine_exponent);
  double t_body = 0.0;
  const double hi = std::max({t_comp, t_mem, t_load, t_elem});
  if (hi > 0.0) {
    // (sum of x^p)^(1/p) as hi * (sum of (x/hi)^p)^(1/p): no overflow for large p.
    double sum = 0.0;
    for (double x : {t_comp, t_mem, t_load, t_elem}) sum += std::pow(x / hi, p);
    t_body = hi * std::pow(sum, 1.0 / p);
  }
  const double t = model.overhead_s + t_body + t_waves;
  if (work.flops > 0.0 && model.max_compute_fraction > 0.0) {
    return std::max(t, work.flops / (model.peak_flops_per_s * model.max_compute_fraction));
  }
  return t;
}

}  // namespace llmsim::calibration
