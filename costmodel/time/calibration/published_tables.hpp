#pragma once
// Fitting the kernel-time model to published kernel tables, for hardware we do not have.
// Every class says its source; a class without a table of its own says which rule stands in.
//
// H800 (scenarios/reference/*.csv, DeepSeek's tables, ~1600 MHz):
//   gemm_fp8          DeepGEMM dense FP8 GEMM table, fitted; leave-one-out per row
//   grouped_gemm_fp8  DeepGEMM grouped (contiguous and masked) tables, fitted; leave-one-out
//   gemm_bf16         the H100's class below (same GH100 die), at 1830 MHz
//   memory_bound      FlashMLA's memory-bound 3000 GB/s as the efficiency
//   attention_fwd     FlashMLA's dense MLA compute-bound 660 TFLOPS as the efficiency
//   attention_bwd     forward efficiency x FlashMLA's B200 backward/forward ratio
// H100, H200 (scenarios/reference/kernels/):
//   gemm_bf16         XLA's sm_90 matmul table (375 BF16 rows, batch 1/2/4), every 4th row
//                     held out, MAMF's best shapes as checks; the H200 takes the H100's fit
//   memory_bound      each GPU's BabelStream Copy / Mul / Add / Triad; leave-one-out
//   attention_fwd     FlashAttention-3's H100 forward rows (paper Table 2, tritonbench)
//   attention_bwd     the forward x FlashMLA's B200 ratio, as on H800
//   FP8 classes       H800's, at the GPU's peaks
// A100-80GB, A100-40GB (the 40GB takes the 80GB's fits, same GA100 die):
//   gemm_bf16         Azure's cuBLASLt FP16 shapes + MAMF's best shapes; leave-one-out
//   memory_bound      BabelStream (A100-80GB); attention_fwd FlashAttention-2's fwd+bwd
//                     rows (the forward's share by the B200 ratio); attention_bwd as above
// B200:
//   gemm_bf16, gemm_fp8  XLA's sm_100 table, every 4th row held out, MAMF as a check
//   the rest          H800's, at the B200's peaks
// Peaks come from hardware_specs.csv. Each table row keeps its file, row and source.

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
// `first_release`: the oldest revision instead (the README as first released).
std::vector<Measurement> read_deepgemm_table(const std::string& path, bool grouped,
                                             bool first_release = false);

// `device`: "h800", "h800-deepgemm-initial" (the FP8 GEMM classes from DeepGEMM's tables as
// first released, 2025-02-25: the version nearest DeepSeek-V3's 2024 training), "h100", "h200", "a100-80gb", "a100-40gb", "b200", in any case. `reference_dir`: the
// folder holding the CSVs (scenarios/reference, with kernels/ under it). `date`: written into the profile (YYYY-MM-DD). Throws UserError for an unknown device, with the closest name.
Profile fit_published_profile(const std::string& device, const std::string& reference_dir,
                              const std::string& date);

}  // namespace llmsim::calibration
