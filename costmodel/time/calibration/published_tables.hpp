#pragma once
// Fitting the kernel-time model to published kernel tables, for hardware we do not have.
//
// H800 (the only device with published tables in scenarios/reference/):
//   gemm_fp8          DeepGEMM dense FP8 GEMM table, fitted; leave-one-out per row
//   grouped_gemm_fp8  DeepGEMM grouped (contiguous and masked) tables, fitted; leave-one-out
//   gemm_bf16         no table: gemm_fp8's fitted efficiencies at the BF16 peak (assumption)
//   memory_bound      no table: FlashMLA's memory-bound 3000 GB/s as the efficiency
//   attention_fwd     FlashMLA's dense MLA compute-bound 660 TFLOPS as the efficiency
//   attention_bwd     no H800 figure: forward efficiency x FlashMLA's B200 backward/forward
// Peaks come from hardware_specs.csv. Each table row keeps its source.

#include <string>
#include <vector>

#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::calibration {

// Device peaks read from hardware_specs.csv (columns gpu, metric, value, unit, source).
struct DevicePeaks {
  std::string gpu;
  double bf16_flops_per_s = 0.0;
  double fp8_flops_per_s = 0.0;
  double hbm_bytes_per_s = 0.0;
  int sm_count = 0;
  std::string source;  // "hardware_specs.csv rows: ..." with each row's source
};
DevicePeaks read_device_peaks(const std::string& hardware_csv, const std::string& gpu);

// The newest published revision of each shape in a DeepGEMM table, as measurements
// (time = FLOPs / published TFLOPS). `grouped` reads the groups / M_per_group columns.
std::vector<Measurement> read_deepgemm_table(const std::string& path, bool grouped);

// `device`: "h800". `reference_dir`: the folder holding the CSVs (scenarios/reference).
// `date`: written into the profile (YYYY-MM-DD). Throws UserError for an unknown device.
Profile fit_published_profile(const std::string& device, const std::string& reference_dir,
                              const std::string& date);

}  // namespace llmsim::calibration
