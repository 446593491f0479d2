#include <string>

#include <catch2/catch.hpp>

#include "costmodel/time/calibration/cuda_calibration.hpp"
#include "sim/check.hpp"

using namespace llmsim::calibration;

// The CUDA grids and the peak matching need no GPU: these run in every build.

namespace {

const std::string kHardwareCsv =
    std::string(LLMSIM_SOURCE_DIR) + "/scenarios/reference/hardware_specs.csv";

GpuFacts hopper(const std::string& name, int sms) {
  GpuFacts d;
  d.name = name;
  d.sm_count = sms;
  d.cc_major = 9;
  d.cc_minor = 0;
  d.sm_clock_hz = 1980e6;
  d.dram_bytes_per_s = 2.0 * 3201e6 * 6144 / 8.0;  // H200's attributes
  return d;
}

}  // namespace

TEST_CASE("cuda_grid: shapes are valid, GPU-sized and FP8-aligned", "[calibration][cuda]") {
  for (GridSize g : {GridSize::kCi, GridSize::kQuick, GridSize::kFull}) {
    for (KernelClass c : cuda_kernel_classes()) {
      INFO(kernel_class_name(c) << " grid " << static_cast<int>(g));
      const auto shapes = cuda_grid(c, g);
      CHECK(shapes.size() >= 8);
      for (const auto& s : shapes) CHECK_NOTHROW(work_of(c, s, TileShape{128, 128}, 132));
      for (std::size_t i = 0; c != KernelClass::kLaunch && i < shapes.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          CHECK(describe_shape(c, shapes[i]) != describe_shape(c, shapes[j]));
        }
      }
      if (g == GridSize::kCi) continue;
      for (const auto& s : shapes) {
        switch (c) {
          case KernelClass::kGemmFp32:
          case KernelClass::kGemmBf16:
          case KernelClass::kGemmFp8:
            CHECK(s.k % 128 == 0);
            CHECK(s.m % 16 == 0);
            CHECK(s.n % 16 == 0);
            for (auto v : {s.m, s.n, s.k}) {
              CHECK(v >= 256);
              CHECK(v <= 8192);
            }
            break;
          case KernelClass::kMemoryBound:
            CHECK(s.bytes >= 1024.0 * 1024.0);
            CHECK(s.bytes <= 1024.0 * 1024.0 * 1024.0);
            break;
          case KernelClass::kAttentionFwd:
            CHECK(s.seq_q >= 512);
            CHECK(s.seq_q <= 8192);
            CHECK(s.heads >= 16);
            CHECK(s.heads <= 128);
            CHECK(s.head_dim_qk == 128);
            CHECK(s.causal);
            break;
          case KernelClass::kLaunch: break;
          default:  // rows x cols FP32: 1 MiB to 1 GiB at RMSNorm's 8 bytes per element
            CHECK(8.0 * s.rows * s.cols >= 0.9 * 1024 * 1024);
            CHECK(8.0 * s.rows * s.cols <= 1024.0 * 1024 * 1024);
            break;
        }
      }
    }
  }
  const auto quick = cuda_grid(KernelClass::kGemmFp8, GridSize::kQuick);
  CHECK(quick.size() == 16);
  for (std::size_t i = 0; i < quick.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      CHECK_FALSE(
          (quick[i].m == quick[j].m && quick[i].n == quick[j].n && quick[i].k == quick[j].k));
    }
  }
}

TEST_CASE("cuda_grid: communication classes have no single-GPU kernel", "[calibration][cuda]") {
  CHECK_THROWS_WITH(cuda_grid(KernelClass::kAllReduce, GridSize::kQuick),
                    Catch::Contains("no peer to communicate with"));
  CHECK_THROWS_AS(cuda_grid(KernelClass::kAttentionBwd, GridSize::kQuick), llmsim::UserError);
}

TEST_CASE("gpu_peaks: a listed device takes its table row, FP32 from SMs and clock",
          "[calibration][cuda]") {
  const GpuPeaks p = gpu_peaks(hopper("NVIDIA H200", 132), kHardwareCsv);
  CHECK(p.table_gpu == "H200 SXM");
  CHECK(p.bf16_flops_per_s == Approx(989.4e12));
  CHECK(p.fp8_flops_per_s == Approx(1978.9e12));
  // 2 x 132 SMs x 128 lanes x 1.98 GHz: the H100 / H200 datasheet's 67 TFLOPS FP32.
  CHECK(p.fp32_flops_per_s == Approx(66.9e12).epsilon(0.01));
  CHECK(p.dram_bytes_per_s == Approx(4.917e12).epsilon(0.001));
  CHECK(p.dram_source.find("the table lists 4.80 TB/s") != std::string::npos);
  CHECK(gpu_peaks(hopper("NVIDIA H100 80GB HBM3", 132), kHardwareCsv).table_gpu == "H100 SXM");
  CHECK(gpu_peaks(hopper("NVIDIA H800", 132), kHardwareCsv).table_gpu == "H800 SXM");
}

TEST_CASE("gpu_peaks: variants and devices not in the table get no tensor peak",
          "[calibration][cuda]") {
  // A PCIe H100 has 114 SMs; an H200 NVL is a different part from the SXM row.
  for (const auto& d : {hopper("NVIDIA H100 PCIe", 114), hopper("NVIDIA H200 NVL", 132),
                        hopper("NVIDIA RTX 6000 Ada Generation", 142)}) {
    INFO(d.name);
    const GpuPeaks p = gpu_peaks(d, kHardwareCsv);
    CHECK(p.table_gpu.empty());
    CHECK(p.bf16_flops_per_s == 0.0);
    CHECK_FALSE(p.tensor_source.empty());
    CHECK(p.fp32_flops_per_s > 0.0);
  }
  // A100 lists FP8 as n/a: its BF16 peak is taken, and it has no FP8 peak.
  GpuFacts a100 = hopper("NVIDIA A100-SXM4-80GB", 108);
  a100.cc_major = 8;
  const GpuPeaks p = gpu_peaks(a100, kHardwareCsv);
  CHECK(p.table_gpu == "A100 SXM 80GB");
  CHECK(p.bf16_flops_per_s == Approx(312e12));
  CHECK(p.fp8_flops_per_s == 0.0);
  CHECK(p.fp32_flops_per_s == Approx(2.0 * 108 * 64 * 1980e6));
  // Unknown compute capability: no FP32 figure (calibrate_cuda measures a probe instead).
  GpuFacts old = hopper("Tesla K80", 13);
  old.cc_major = 3;
  CHECK(gpu_peaks(old, kHardwareCsv).fp32_flops_per_s == 0.0);
}

TEST_CASE("calibrate_cuda: a build without CUDA says how to get it", "[calibration][cuda]") {
  if (cuda_built()) return;  // the CUDA build's behaviour is tests/costmodel/time/calibration/cuda_*
  CalibrationOptions o;
  o.grid = GridSize::kCi;
  CHECK_THROWS_WITH(calibrate_cuda(o), Catch::Contains("-DLLMSIM_CUDA=ON"));
}
