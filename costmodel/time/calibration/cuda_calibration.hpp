#pragma once
// Calibrating the GPU at hand (device 0): the CUDA reference kernels (cuda/cuda_runner.hpp:
// cuBLAS / cuBLASLt GEMMs in FP32, BF16 and FP8, memory-bound kernels, a tiled causal
// attention, the empty kernel) timed over GPU-sized grids, then measure_and_fit as for the CPU.
// The result is a Profile with method "measured".
//
// Peaks the efficiencies are relative to:
//   BF16 and FP8 dense tensor FLOPs: the hardware_specs.csv row of the device (matched by
//     name and SM count, gpu_peaks below); a device not listed gets measured probes (8192^3
//     GEMMs) and efficiencies may exceed 1, as on the CPU
//   FP32 (gemm_fp32 and the attention kernel, which runs on CUDA cores): 2 x SMs x FP32
//     lanes per SM x peak SM clock (lanes: CUDA C++ Programming Guide, arithmetic instruction
//     throughput: 64 for compute capability 7.x and 8.0, 128 for 8.6 to 12.x)
//   DRAM bandwidth: 2 x memory clock x bus width / 8 from cudaDeviceGetAttribute
//     (cudaDevAttrMemoryClockRate, cudaDevAttrGlobalMemoryBusWidth: cudaDeviceProp lost those
//     fields in CUDA 13); the CSV's figure is quoted beside it
// Units: the SM count. GEMM tiles: fixed 128 x 128 (cuBLAS's usual CTA tile).
// all_reduce and all_to_all are not measured: one GPU has nobody to talk to, and with several
// GPUs visible the network model (sim/collectives) is what times communication; the profile
// says so in its sources.
//
// The grids and gpu_peaks work in every build; calibrate_cuda needs a build configured with
// -DLLMSIM_CUDA=ON (cuda_built()) and a GPU at run time, else it throws a one-line UserError.

#include <string>
#include <vector>

#include "costmodel/time/calibration/kernel_class.hpp"
#include "costmodel/time/calibration/measured_calibration.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::calibration {

// True when this build has the CUDA kernels (configured with -DLLMSIM_CUDA=ON).
bool cuda_built();

// The classes with a CUDA reference kernel, in profile order.
std::vector<KernelClass> cuda_kernel_classes();

// The shapes measured for `c` at `grid` size, in measurement order: GEMMs with m, n, k from
// 256 to 8192 (k a multiple of 128, m and n of 16: cuBLASLt FP8); memory-bound kernels from
// 1 MiB to 1 GiB; causal attention with sequences of 512 to 8192, 16 to 128 heads, head dim
// 128. The kCi grid is small (the GPU tests). Throws UserError for a class without a CUDA
// kernel.
std::vector<KernelShape> cuda_grid(KernelClass c, GridSize grid);

// What gpu_peaks needs to know about a device.
struct GpuFacts {
  std::string name;  // cudaDeviceProp::name, "NVIDIA H200"
  int sm_count = 0;
  int cc_major = 0;
  int cc_minor = 0;
  double sm_clock_hz = 0.0;
  double dram_bytes_per_s = 0.0;  // from the attributes (DeviceInfo::dram_bytes_per_s)
};

struct GpuPeaks {
  std::string table_gpu;          // the hardware_specs.csv gpu matched ("H200 SXM"), or ""
  double bf16_flops_per_s = 0.0;  // 0: not listed (measure a probe)
  double fp8_flops_per_s = 0.0;
  double fp32_flops_per_s = 0.0;  // 0: unknown compute capability (measure a probe)
  double dram_bytes_per_s = 0.0;  // 0: the attributes gave none (measure a probe)
  std::string tensor_source;
  std::string fp32_source;
  std::string dram_source;
};

// Matches the device to a hardware_specs.csv row: the row's first word ("H200") is a word of
// the device name, the device is not a PCIe or NVL variant the row does not name, and the
// row's sm_count equals the device's. Never throws for an unlisted or incomplete row (the
// peaks stay 0 and the sources say why); throws UserError if the file cannot be read.
GpuPeaks gpu_peaks(const GpuFacts& device, const std::string& hardware_csv);

// Throws UserError when the build has no CUDA kernels (naming -DLLMSIM_CUDA=ON), when no GPU
// is usable (naming the CUDA error), for a class without a CUDA kernel, and when a CUDA call
// fails during the run.
Profile calibrate_cuda(const CalibrationOptions& options);

}  // namespace llmsim::calibration
