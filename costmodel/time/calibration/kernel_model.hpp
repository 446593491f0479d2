#pragma once
// The kernel-time model: a roofline (peak FLOP rate, peak bandwidth) scaled by efficiencies
// that depend on shape, plus a fixed overhead.
//
//   waves    = ceil(tiles / units)                       wave quantization over SMs / cores
//   t_comp   = waves * k_blocks * max(block_flops / (peak_flops * compute_efficiency / units),
//                                     iteration_floor)
//                                                        a tile's k-loop, one iteration per
//                                                        k-block (block_flops = tile_flops /
//                                                        k_blocks; padded tiles: tile
//                                                        quantization); iteration_floor: the
//                                                        fixed latency of one pipelined
//                                                        iteration (barrier waits, MMA issue,
//                                                        scale promotion) that a thin tile's
//                                                        few FLOPs cannot hide (0: off)
//   active   = min(tiles, units)
//   bw_share = min(1, active / (units * saturation_fraction))
//                                                        too few busy units cannot pull the
//                                                        full bandwidth (small-size effect)
//   t_mem    = bytes / (peak_bandwidth * memory_efficiency * bw_share)
//   t_load   = waves * tile_bytes / (peak_bandwidth * cache_bandwidth_factor / units)
//                                                        each unit loads its tile's A and B
//                                                        panels from cache (L2): skinny tiles
//                                                        re-read A once per tile (0: off)
//   t_elem   = elementwise / elementwise_rate              non-matmul work (attention softmax),
//                                                        0 where the rate is 0 (not modelled)
//   t        = overhead + (t_comp^p + t_mem^p + t_load^p + t_elem^p)^(1/p)
//                        + waves * wave_overhead
//   t        = max(t, flops / (peak_flops * max_compute_fraction))
//                                                        never faster than the fastest
//                                                        measured point (0: off)
//                                                        p = combine_exponent >= 1: 1 adds
//                                                        the terms, large p takes the max;
//                                                        wave_overhead: a tile's prologue
//                                                        (pipeline fill) and epilogue (output
//                                                        store), serial with its k-loop
//
// A class without FLOPs (memory-bound, communication) reduces to overhead + bytes / rate.

#include "costmodel/time/calibration/kernel_class.hpp"

namespace llmsim::calibration {

struct KernelModel {
  // Fixed inputs: the device (each with its source in the profile) and the tile shape.
  double peak_flops_per_s = 0.0;
  double peak_bytes_per_s = 0.0;
  int units = 1;            // SMs (GPU) or cores used (CPU)
  TileShape tile{};
  // Fitted parameters.
  double compute_efficiency = 1.0;   // fraction of peak FLOPs a full wave reaches
  double memory_efficiency = 1.0;    // fraction of peak bandwidth a saturated kernel reaches
  double saturation_fraction = 0.0;  // fraction of units needed to saturate bandwidth (0: any)
  double cache_bandwidth_factor = 0.0;  // cache bandwidth / peak_bandwidth (0: no such term)
  double elementwise_per_s = 0.0;    // non-matmul element operations per second (0: off)
  double combine_exponent = 1.0;     // p above
  double overhead_s = 0.0;           // fixed time per call (launch, setup)
  double wave_overhead_s = 0.0;      // fixed time per wave of tiles (tile prologue/epilogue)
  double iteration_floor_s = 0.0;    // least time of one k-block iteration of a tile (0: off)
  // Not fitted, not written to profiles: the largest fraction of peak_flops_per_s any point
  // the class was fitted to or checked on reached (load_profile sets it from the points; 0:
  // off). No call runs faster than that: the model does not extrapolate above its data.
  double max_compute_fraction = 0.0;
};

// Predicted seconds for `work` (from work_of with the model's tile). Never negative.
double predict_work_seconds(const KernelModel& model, const KernelWork& work);

}  // namespace llmsim::calibration
