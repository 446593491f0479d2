#include "costmodel/time/calibration/cuda_calibration.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "costmodel/time/calibration/cpu_kernels.hpp"
#include "costmodel/time/calibration/csv_table.hpp"
#include "costmodel/time/calibration/published_tables.hpp"
#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"

// LLMSIM_HAVE_CUDA: 1 in builds configured with -DLLMSIM_CUDA=ON (costmodel/CMakeLists.txt).
#ifndef LLMSIM_HAVE_CUDA
#define LLMSIM_HAVE_CUDA 0
#endif
#if LLMSIM_HAVE_CUDA
#include "costmodel/time/calibration/cuda/cuda_runner.hpp"
#endif

namespace llmsim::calibration {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : text) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      w += ch;
    } else if (!w.empty()) {
      out.push_back(w);
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

bool has_word(const std::vector<std::string>& ws, const std::string& w) {
  return std::find(ws.begin(), ws.end(), w) != ws.end();
}

// FP32 results per clock per SM (CUDA C++ Programming Guide, "Arithmetic Instructions",
// 32-bit floating-point add, multiply, multiply-add); 0 where not known.
int fp32_lanes_per_sm(int major, int minor) {
  if (major == 7) return 64;
  if (major == 8) return minor == 0 ? 64 : 128;
  if (major >= 9 && major <= 12) return 128;
  return 0;
}

// GEMM shapes: multiples of 128 (FP8 scale blocks along k; whole 128 x 128 tiles for most),
// with 1536, 2304, 6144 and 7168 (DeepSeek-V3's hidden size) for partial last waves on 132
// SMs. CI and quick are listed by hand so that the held-out shapes (2nd, 6th, ...) lie inside
// the measured range; full walks m, n and k lists with coprime strides.
std::vector<KernelShape> gpu_gemm_grid(GridSize g) {
  struct Mnk {
    std::int64_t m, n, k;
  };
  std::vector<Mnk> picked;
  if (g == GridSize::kCi) {
    picked = {{128, 128, 128}, {256, 128, 256}, {128, 384, 128}, {384, 256, 256},
              {512, 512, 128}, {256, 512, 384}, {128, 256, 512}, {512, 128, 256}};
  } else if (g == GridSize::kQuick) {
    picked = {{256, 256, 256},    {1024, 4096, 1024}, {2048, 2048, 2048}, {4096, 7168, 512},
              {512, 7168, 2048},  {4096, 4096, 4096}, {8192, 1536, 7168}, {1536, 8192, 1024},
              {6144, 6144, 256},  {2048, 512, 8192},  {8192, 8192, 8192}, {768, 2304, 4096},
              {4096, 1024, 7168}, {3072, 3072, 1536}, {512, 512, 4096},   {7168, 2048, 2048}};
  } else {
    const std::vector<std::int64_t> mn = {256,  384,  512,  768,  1024, 1536, 2048,
                                          3072, 4096, 5120, 6144, 7168, 8192};
    const std::vector<std::int64_t> ks = {256, 512, 1024, 1536, 2048, 3072, 4096, 6144, 7168, 8192};
    // (i mod 13, 7 i + 3 mod 13, 3 i + 1 mod 10): 130 distinct shapes before repeating.
    for (std::size_t i = 0; i < 48; ++i) {
      picked.push_back(
          {mn[i % mn.size()], mn[(7 * i + 3) % mn.size()], ks[(3 * i + 1) % ks.size()]});
    }
  }
  std::vector<KernelShape> out;
  for (const Mnk& s : picked) out.push_back(gemm_shape(s.m, s.n, s.k));
  return out;
}

// Bytes moved by a triad (two reads, one write), MiB. Held-out sizes (2nd, 6th, 10th)
// fall inside the measured range.
std::vector<KernelShape> memory_bound_grid(GridSize g) {
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  const std::vector<double> sizes =
      ci     ? std::vector<double>{1, 2, 4, 8, 16, 32, 64, 3}
      : full ? std::vector<double>{1,  1.5, 2,  3,   4,   6,   8,   12,  16,  24,  32,
                                   48, 64,  96, 128, 192, 256, 384, 512, 768, 1024}
             : std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 6};
  std::vector<KernelShape> out;
  for (double mib : sizes) {
    KernelShape s;
    s.bytes = mib * kMiB;
    s.rows = 1;  // triad (0 would be copy)
    out.push_back(s);
  }
  return out;
}

// rows x cols FP32, Mi elements: 1 MiB in + out (RMSNorm, 8 bytes per element) to 1 GiB.
std::vector<KernelShape> rows_cols_grid(GridSize g) {
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  const std::vector<double> elements_mi =
      ci     ? std::vector<double>{0.125, 0.25, 0.5, 1, 2, 4, 0.375, 1.5}
      : full ? std::vector<double>{0.125, 0.1875, 0.25, 0.375, 0.5, 0.75, 1,  1.5, 2,  3,  4,
                                   6,     8,      12,   16,    24,  32,   48, 64,  96, 128}
             : std::vector<double>{0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 0.75};
  const std::vector<std::int64_t> cols = {1024, 2048, 4096, 7168, 8192};
  std::vector<KernelShape> out;
  for (std::size_t i = 0; i < elements_mi.size(); ++i) {
    KernelShape s;
    s.cols = cols[i % cols.size()];
    s.rows = std::max<std::int64_t>(1, static_cast<std::int64_t>(elements_mi[i] * kMiB) / s.cols);
    out.push_back(s);
  }
  return out;
}

std::vector<KernelShape> attention_grid(GridSize g) {
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  struct Attn {
    std::int64_t heads, seq;
  };
  // Head dim 128, batch 1, causal. The quick grid keeps each call under ~3e11 FLOPs
  // (tens of milliseconds on CUDA cores).
  const std::vector<Attn> grid =
      ci     ? std::vector<Attn>{{4, 256}, {8, 512},  {16, 256}, {4, 1024},
                                 {8, 128}, {16, 512}, {4, 384},  {8, 768}}
      : full ? std::vector<Attn>{{16, 512},  {32, 1024}, {64, 512},   {16, 2048},  {128, 512},
                                 {32, 2048}, {64, 1024}, {16, 4096},  {128, 1024}, {32, 4096},
                                 {64, 2048}, {96, 3072}, {128, 2048}, {64, 4096},  {16, 8192},
                                 {48, 1536}, {32, 8192}, {128, 4096}, {64, 8192},  {128, 8192}}
             : std::vector<Attn>{{16, 512},   {32, 1024}, {64, 512},  {16, 2048},
                                 {128, 512},  {32, 2048}, {64, 1024}, {16, 4096},
                                 {128, 1024}, {32, 4096}, {16, 8192}, {48, 1536}};
  std::vector<KernelShape> out;
  for (const Attn& a : grid) {
    KernelShape s;
    s.batch = 1;
    s.heads = a.heads;
    s.seq_q = s.seq_kv = a.seq;
    s.head_dim_qk = s.head_dim_v = 128;
    s.causal = true;
    out.push_back(s);
  }
  return out;
}

#if LLMSIM_HAVE_CUDA
std::string driver_release() {
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 ..." on Linux.
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "";
  const auto at = line.find("Kernel Module");
  if (at == std::string::npos) return "";
  std::istringstream rest(line.substr(at + 13));
  std::string version;
  rest >> version;
  return version;
}
#endif

}  // namespace

bool cuda_built() {
  return LLMSIM_HAVE_CUDA != 0;
}

std::vector<KernelClass> cuda_kernel_classes() {
  return {KernelClass::kGemmFp32,    KernelClass::kGemmBf16,    KernelClass::kGemmFp8,
          KernelClass::kMemoryBound, KernelClass::kRmsNorm,     KernelClass::kSwiGlu,
          KernelClass::kSoftmax,     KernelClass::kFp8Quantize, KernelClass::kAttentionFwd,
          KernelClass::kLaunch};
}

std::vector<KernelShape> cuda_grid(KernelClass c, GridSize g) {
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8: return gpu_gemm_grid(g);
    case KernelClass::kMemoryBound: return memory_bound_grid(g);
    case KernelClass::kRmsNorm:
    case KernelClass::kSwiGlu:
    case KernelClass::kSoftmax:
    case KernelClass::kFp8Quantize: return rows_cols_grid(g);
    case KernelClass::kAttentionFwd: return attention_grid(g);
    case KernelClass::kLaunch: return std::vector<KernelShape>(8);  // repeated batches
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll:
      throw UserError(fmt::format(
          "no CUDA reference kernel for class {}: one GPU has no peer to communicate with "
          "(communication is timed by the network model; use --device cpu for thread "
          "collectives)",
          kernel_class_name(c)));
    case KernelClass::kGroupedGemmFp8:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2: break;
  }
  throw UserError(fmt::format("no CUDA reference kernel for class {}", kernel_class_name(c)));
}

GpuPeaks gpu_peaks(const GpuFacts& d, const std::string& hardware_csv) {
  GpuPeaks p;
  const int lanes = fp32_lanes_per_sm(d.cc_major, d.cc_minor);
  if (lanes > 0 && d.sm_clock_hz > 0.0 && d.sm_count > 0) {
    p.fp32_flops_per_s = 2.0 * d.sm_count * lanes * d.sm_clock_hz;
    p.fp32_source = fmt::format(
        "FP32 CUDA-core peak {:.1f} TFLOPS = 2 x {} SMs x {} FP32 lanes (compute capability "
        "{}.{}) x {:.0f} MHz peak SM clock (cudaDevAttrClockRate)",
        p.fp32_flops_per_s / 1e12, d.sm_count, lanes, d.cc_major, d.cc_minor, d.sm_clock_hz / 1e6);
  } else {
    p.fp32_source =
        fmt::format("compute capability {}.{}: FP32 lanes per SM unknown", d.cc_major, d.cc_minor);
  }
  if (d.dram_bytes_per_s > 0.0) {
    p.dram_bytes_per_s = d.dram_bytes_per_s;
    p.dram_source = fmt::format(
        "DRAM {:.2f} TB/s = 2 x memory clock x bus width / 8 (cudaDevAttrMemoryClockRate, "
        "cudaDevAttrGlobalMemoryBusWidth)",
        p.dram_bytes_per_s / 1e12);
  } else {
    p.dram_source = "the device reports no memory clock or bus width";
  }

  const CsvTable t = CsvTable::load(hardware_csv);
  const std::vector<std::string> name_words = words(d.name);
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::string gpu = t.text(r, "gpu");
    if (!seen.insert(gpu).second) continue;
    const std::vector<std::string> gpu_words = words(gpu);
    if (gpu_words.empty() || !has_word(name_words, gpu_words.front())) continue;
    bool variant_mismatch = false;
    for (const char* variant : {"PCIe", "NVL"}) {
      if (has_word(name_words, variant) && !has_word(gpu_words, variant)) variant_mismatch = true;
    }
    if (variant_mismatch) continue;
    DevicePeaks row;
    try {
      row = read_device_peaks(hardware_csv, gpu);
    } catch (const UserError& e) {
      p.tensor_source =
          fmt::format("hardware_specs.csv row '{}' is incomplete ({})", gpu, e.what());
      continue;
    }
    if (row.sm_count != d.sm_count) {
      p.tensor_source = fmt::format("hardware_specs.csv row '{}' has {} SMs, the device {}", gpu,
                                    row.sm_count, d.sm_count);
      continue;
    }
    p.table_gpu = gpu;
    p.bf16_flops_per_s = row.bf16_flops_per_s;
    p.fp8_flops_per_s = row.fp8_flops_per_s;
    p.tensor_source = row.source;
    if (p.dram_bytes_per_s > 0.0) {
      p.dram_source += fmt::format("; the table lists {:.2f} TB/s", row.hbm_bytes_per_s / 1e12);
    }
    return p;
  }
  if (p.tensor_source.empty()) {
    p.tensor_source = fmt::format("'{}' is not in {}", d.name, hardware_csv);
  }
  return p;
}

#if !LLMSIM_HAVE_CUDA

Profile calibrate_cuda(const CalibrationOptions&) {
  throw UserError(
      "--device cuda: this llmsim was built without CUDA; reconfigure with -DLLMSIM_CUDA=ON on "
      "a machine with the CUDA toolkit (nvcc, cuBLAS) and rebuild");
}

#else

namespace {

cuda::GpuTimingOptions timing_for(GridSize g) {
  switch (g) {
    case GridSize::kCi: return cuda::GpuTimingOptions{1, 3, 5, 0.002};
    case GridSize::kQuick: return cuda::GpuTimingOptions{2, 5, 20, 0.02};
    case GridSize::kFull: return cuda::GpuTimingOptions{3, 10, 50, 0.1};
  }
  return {};
}

cuda::GpuKernel gpu_kernel(KernelClass c, const KernelShape& s) {
  switch (c) {
    case KernelClass::kGemmFp32: return cuda::GpuKernel::kGemmFp32;
    case KernelClass::kGemmBf16: return cuda::GpuKernel::kGemmBf16;
    case KernelClass::kGemmFp8: return cuda::GpuKernel::kGemmFp8;
    case KernelClass::kMemoryBound:
      return s.rows == 1 ? cuda::GpuKernel::kTriad : cuda::GpuKernel::kCopy;
    case KernelClass::kRmsNorm: return cuda::GpuKernel::kRmsNorm;
    case KernelClass::kSwiGlu: return cuda::GpuKernel::kSwiGlu;
    case KernelClass::kSoftmax: return cuda::GpuKernel::kSoftmax;
    case KernelClass::kFp8Quantize: return cuda::GpuKernel::kFp8Quantize;
    case KernelClass::kAttentionFwd: return cuda::GpuKernel::kAttentionFwd;
    case KernelClass::kLaunch: return cuda::GpuKernel::kLaunch;
    default: break;
  }
  throw UserError(fmt::format("no CUDA reference kernel for class {}", kernel_class_name(c)));
}

cuda::GpuShape gpu_shape(KernelClass c, const KernelShape& s) {
  cuda::GpuShape g;
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8:
      if (s.groups != 1) throw UserError("CUDA GEMM reference kernels: groups must be 1");
      g.m = s.m;
      g.n = s.n;
      g.k = s.k;
      break;
    case KernelClass::kMemoryBound:
      // Same accounting as the CPU kernel: triad 12 bytes per element, copy 8.
      g.elements = static_cast<std::int64_t>(s.bytes / (s.rows == 1 ? 12.0 : 8.0));
      break;
    case KernelClass::kAttentionFwd:
      if (!s.causal || s.seq_q != s.seq_kv || s.head_dim_qk != s.head_dim_v) {
        throw UserError(
            "attention_fwd CUDA reference kernel: causal self-attention with equal "
            "head dims only");
      }
      g.batch_heads = s.batch * s.heads;
      g.seq = s.seq_q;
      g.head_dim = s.head_dim_qk;
      break;
    default:
      g.rows = s.rows;
      g.cols = s.cols;
      break;
  }
  return g;
}

Measurement measure(cuda::CudaRunner& runner, KernelClass c, const KernelShape& s,
                    const cuda::GpuTimingOptions& opt) {
  const cuda::GpuTiming t = runner.time(gpu_kernel(c, s), gpu_shape(c, s), opt);
  const Timing sum = summarize_timings(t.seconds);
  Measurement m;
  m.shape = s;
  m.seconds = sum.p10_s;
  m.median_s = sum.median_s;
  m.spread = sum.spread();
  m.label = fmt::format("{} {} ({} reps)", t.method, describe_shape(c, s), sum.reps);
  return m;
}

// Peak from a probe: the FLOP rate of one square GEMM of `size`.
double probe_flops(cuda::CudaRunner& runner, KernelClass c, std::int64_t size,
                   const cuda::GpuTimingOptions& opt) {
  const Measurement m = measure(runner, c, gemm_shape(size, size, size), opt);
  return 2.0 * static_cast<double>(size) * static_cast<double>(size) * static_cast<double>(size) /
         m.seconds;
}

std::string version_text(int v) {
  return fmt::format("{}.{}", v / 1000, (v % 1000) / 10);
}

GpuFacts facts_of(const cuda::DeviceInfo& dev) {
  GpuFacts facts;
  facts.name = dev.name;
  facts.sm_count = dev.sm_count;
  facts.cc_major = dev.cc_major;
  facts.cc_minor = dev.cc_minor;
  facts.sm_clock_hz = dev.sm_clock_hz;
  facts.dram_bytes_per_s = dev.dram_bytes_per_s();
  return facts;
}

// Which peaks were measured by a probe rather than read from a table or the device.
struct Probed {
  bool tensor = false;
  bool fp32 = false;
  bool dram = false;
};

// Probes where no figure exists; their classes' efficiencies may then exceed 1.
Probed probe_missing_peaks(cuda::CudaRunner& runner, GpuPeaks& peaks) {
  const cuda::GpuTimingOptions probe_timing{2, 5, 10, 0.0};
  Probed probed;
  probed.tensor = peaks.bf16_flops_per_s <= 0.0 || peaks.fp8_flops_per_s <= 0.0;
  probed.fp32 = peaks.fp32_flops_per_s <= 0.0;
  probed.dram = peaks.dram_bytes_per_s <= 0.0;
  if (probed.tensor) {
    peaks.bf16_flops_per_s = probe_flops(runner, KernelClass::kGemmBf16, 8192, probe_timing);
    peaks.fp8_flops_per_s = probe_flops(runner, KernelClass::kGemmFp8, 8192, probe_timing);
    peaks.tensor_source += fmt::format(
        "; measured instead: BF16 {:.1f} and FP8 {:.1f} TFLOPS (8192^3 cuBLASLt GEMMs), "
        "efficiencies are relative to these probes",
        peaks.bf16_flops_per_s / 1e12, peaks.fp8_flops_per_s / 1e12);
  }
  if (probed.fp32) {
    peaks.fp32_flops_per_s = probe_flops(runner, KernelClass::kGemmFp32, 4096, probe_timing);
    peaks.fp32_source += fmt::format("; measured instead: {:.1f} TFLOPS (4096^3 sgemm)",
                                     peaks.fp32_flops_per_s / 1e12);
  }
  if (probed.dram) {
    KernelShape copy;
    copy.bytes = 1024.0 * kMiB;
    copy.rows = 0;
    peaks.dram_bytes_per_s =
        copy.bytes / measure(runner, KernelClass::kMemoryBound, copy, probe_timing).seconds;
    peaks.dram_source +=
        fmt::format("; measured instead: {:.2f} TB/s (1 GiB copy)", peaks.dram_bytes_per_s / 1e12);
  }
  return probed;
}

// The catalog GPU a CUDA device name reports ("NVIDIA H100 80GB HBM3" -> "H100"); "" if none.
std::string catalog_gpu(const std::string& device_name) {
  auto has = [&](const char* t) { return device_name.find(t) != std::string::npos; };
  for (const char* g : {"H800", "H100", "H200", "B200"}) {
    if (has(g)) return g;
  }
  if (has("A100")) return has("80GB") ? "A100-80GB" : "A100-40GB";
  return "";
}

// The profile's identity and sources: everything but its classes.
Profile cuda_profile_header(const cuda::DeviceInfo& dev, const CalibrationOptions& o,
                            const GpuPeaks& peaks) {
  Profile p;
  p.name = "cuda-measured";
  const std::string driver = driver_release();
  p.device = fmt::format("{} ({} SMs, CUDA {}, driver {})", dev.name, dev.sm_count,
                         version_text(dev.runtime_version),
                         driver.empty() ? "for CUDA " + version_text(dev.driver_version) : driver);
  p.gpu = catalog_gpu(dev.name);
  p.date = o.date;
  p.method = "measured";
  p.generator = o.generator;
  p.sources = {
      "costmodel/time/calibration/cuda/ (reference kernels: cuBLAS sgemm, cuBLASLt BF16 "
      "and FP8 GEMMs; own CUDA kernels for the memory-bound classes, the causal "
      "attention and the empty launch)",
      "tensor peaks: " + peaks.tensor_source, "FP32 peak: " + peaks.fp32_source,
      "DRAM peak: " + peaks.dram_source,
      dev.device_count >= 2
          ? fmt::format("all_reduce, all_to_all: not measured: {} GPUs are visible but "
                        "this calibration times one; communication between GPUs is "
                        "the network model's (sim/collectives)",
                        dev.device_count)
          : "all_reduce, all_to_all: not measured: one GPU has no peer to "
            "communicate with; communication is the network model's "
            "(sim/collectives)"};
  return p;
}

// The fit's starting model and free parameters for class `c` on a device of `sm_count` SMs.
ClassSetup cuda_class_setup(KernelClass c, const GpuPeaks& peaks, const Probed& probes,
                            int sm_count) {
  ClassSetup setup;
  KernelModel& start = setup.start;
  start.peak_bytes_per_s = peaks.dram_bytes_per_s;
  start.units = sm_count;
  start.overhead_s = 3e-6;
  FreeParameters& free = setup.free;
  free.overhead = true;
  bool probed = probes.dram;
  std::string flops_source;
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8:
      start.peak_flops_per_s = c == KernelClass::kGemmFp32   ? peaks.fp32_flops_per_s
                               : c == KernelClass::kGemmBf16 ? peaks.bf16_flops_per_s
                                                             : peaks.fp8_flops_per_s;
      start.tile = TileShape{128, 128, TilePolicy::kFixed};
      start.compute_efficiency = start.memory_efficiency = 0.7;
      free.compute_efficiency = free.memory_efficiency = free.combine_exponent = true;
      probed = probed || (c == KernelClass::kGemmFp32 ? probes.fp32 : probes.tensor);
      flops_source = c == KernelClass::kGemmFp32 ? peaks.fp32_source : peaks.tensor_source;
      break;
    case KernelClass::kAttentionFwd:
      // The reference attention runs on CUDA cores: the FP32 peak is its roof.
      start.peak_flops_per_s = peaks.fp32_flops_per_s;
      start.tile = TileShape{64, 0, TilePolicy::kFixed};
      start.compute_efficiency = start.memory_efficiency = 0.5;
      free.compute_efficiency = free.memory_efficiency = free.combine_exponent = true;
      free.elementwise_rate = true;
      probed = probed || probes.fp32;
      flops_source = peaks.fp32_source;
      break;
    case KernelClass::kLaunch: break;
    default:
      start.memory_efficiency = 0.8;
      free.memory_efficiency = true;
      break;
  }
  // Datasheet and attribute peaks are limits; probes are measurements other shapes may beat.
  free.max_efficiency = probed ? 1000.0 : 1.0;
  setup.peak_source =
      flops_source.empty() ? peaks.dram_source : flops_source + "; " + peaks.dram_source;
  return setup;
}

Profile run_cuda_calibration(cuda::CudaRunner& runner, const CalibrationOptions& o,
                             const std::vector<KernelClass>& classes) {
  const cuda::DeviceInfo& dev = runner.device();
  const cuda::GpuTimingOptions timing = timing_for(o.grid);
  const std::string dir =
      o.reference_dir.empty() ? default_data_dir() + "/reference" : o.reference_dir;
  GpuPeaks peaks = gpu_peaks(facts_of(dev), dir + "/hardware_specs.csv");
  const Probed probed = probe_missing_peaks(runner, peaks);

  Profile p = cuda_profile_header(dev, o, peaks);

  MeasurementPlan plan;
  plan.classes = classes;
  plan.rounds = o.grid == GridSize::kCi ? 1 : o.grid == GridSize::kQuick ? 2 : 3;
  plan.budget_s = o.grid == GridSize::kQuick ? 40.0 : o.grid == GridSize::kCi ? 20.0 : 1e9;
  plan.shapes = [&o](KernelClass c) { return cuda_grid(c, o.grid); };
  plan.measure = [&](KernelClass c, const KernelShape& s) { return measure(runner, c, s, timing); };
  plan.setup = [&](KernelClass c) { return cuda_class_setup(c, peaks, probed, dev.sm_count); };
  plan.progress = o.progress;
  p.classes = measure_and_fit(plan);
  return p;
}

}  // namespace

Profile calibrate_cuda(const CalibrationOptions& o) {
  const std::vector<KernelClass> classes = o.classes.empty() ? cuda_kernel_classes() : o.classes;
  for (KernelClass c : classes) cuda_grid(c, o.grid);  // a class without a kernel fails first
  std::unique_ptr<cuda::CudaRunner> runner;
  try {
    runner = std::make_unique<cuda::CudaRunner>();
  } catch (const cuda::CudaFailure& e) {
    throw UserError(fmt::format("--device cuda: no usable CUDA device: {}", e.what()));
  }
  try {
    return run_cuda_calibration(*runner, o, classes);
  } catch (const cuda::CudaFailure& e) {
    throw UserError(fmt::format("--device cuda: CUDA failure during calibration on {}: {}",
                                runner->device().name, e.what()));
  }
}

#endif

}  // namespace llmsim::calibration
