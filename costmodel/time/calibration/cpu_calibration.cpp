#include "costmodel/time/calibration/cpu_calibration.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "costmodel/time/calibration/cpu_kernels.hpp"
#include "costmodel/time/calibration/fitter.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// Every `stride`-th of a list, starting at `offset`, up to `count` items: a spread-out
// deterministic subset of a full factorial grid.
template <typename T>
std::vector<T> pick(const std::vector<T>& all, std::size_t count) {
  if (all.size() <= count) return all;
  std::vector<T> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(all[i * all.size() / count]);
  return out;
}

std::vector<KernelShape> gemm_grid(GridSize g) {
  // k multiples of 128 (the FP8 kernel's scale blocks). Sizes keep one call under ~10 ms on
  // one core of a slow machine.
  std::vector<std::int64_t> mn, ks;
  std::size_t count = 0;
  switch (g) {
    case GridSize::kCi: mn = {32, 64, 96, 128}; ks = {128, 256}; count = 8; break;
    case GridSize::kQuick: mn = {64, 128, 192, 256, 320, 384}; ks = {128, 256, 384}; count = 16; break;
    case GridSize::kFull: mn = {64, 128, 192, 256, 384, 512, 640}; ks = {128, 256, 384, 512, 768}; count = 40; break;
  }
  std::vector<KernelShape> all;
  // Order: k slowest, then n, then m, with m and n interleaved so that a stride picks varied
  // shapes rather than a corner of the cube.
  for (std::size_t i = 0; i < mn.size(); ++i) {
    for (std::size_t j = 0; j < mn.size(); ++j) {
      for (std::size_t q = 0; q < ks.size(); ++q) {
        KernelShape s;
        s.m = mn[i];
        s.n = mn[(i + 2 * j + q) % mn.size()];
        s.k = ks[(q + i + j) % ks.size()];
        all.push_back(s);
      }
    }
  }
  return pick(all, count);
}

std::vector<KernelShape> memory_bound_grid(GridSize g) {
  const double mib = 1024.0 * 1024.0;
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  // Bytes moved (read + written) by a triad a = b + 3 c, the shape of an elementwise
  // kernel (two reads, one write). CI and quick grids stay inside a core's private L2
  // (1 MiB on the machine this was developed on): the one regime other processes on a
  // shared machine do not disturb, and one where time is linear in bytes. The full grid
  // stays beyond a 32 MiB last-level cache (the DRAM regime) instead.
  const std::vector<double> sizes =
      ci     ? std::vector<double>{0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.1875, 0.3125}
      : full ? std::vector<double>{48, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, 80}
             : std::vector<double>{0.125, 0.1875, 0.25,  0.3125, 0.375, 0.4375,
                                   0.5,   0.5625, 0.625, 0.6875, 0.75,  0.21875};
  std::vector<KernelShape> out;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    KernelShape s;
    s.bytes = sizes[i] * mib;
    s.rows = 1;  // triad (0 would be copy)
    out.push_back(s);
  }
  return out;
}

std::vector<KernelShape> rows_cols_grid(GridSize g) {
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  // rows x cols FP32 with 16 to 96 Ki elements (128 to 768 KiB in + out) for the quick
  // grid: beyond L1, inside a private L2 as above; the full grid is 64x larger.
  const std::vector<std::int64_t> elements_k =
      ci ? std::vector<std::int64_t>{8, 16, 24, 32, 48, 64, 12, 40}
         : std::vector<std::int64_t>{16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 20};
  const std::vector<std::int64_t> cols = {1024, 2048, 4096, 8192};
  std::vector<KernelShape> out;
  for (std::size_t i = 0; i < elements_k.size(); ++i) {
    KernelShape s;
    s.cols = cols[i % cols.size()];
    s.rows = std::max<std::int64_t>(1, elements_k[i] * 1024 * (full ? 64 : 1) / s.cols);
    out.push_back(s);
  }
  return out;
}

std::vector<KernelShape> attention_grid(GridSize g) {
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  // (heads, sequence, head dim). CI and quick grids keep every head's Q, K, V and O
  // (4 x heads x seq x dim FP32) and a 64-row tile of scores (64 x seq FP32) within a private
  // L2 of 1 MiB, as above, and whole 64-row tiles (the model pads a partial tile, the
  // reference kernel does not); the full grid doubles seq. (The quick grid once had 2 heads of
  // 576 x 64, 1.3 MB in all: with both CPUs busy it ran 1.5x slower than the model in 4 of 5
  // calibrations, the other shapes within 3%.)
  struct Attn {
    std::int64_t heads, seq, dim;
  };
  const std::vector<Attn> grid =
      ci ? std::vector<Attn>{{1, 64, 64},  {2, 128, 64}, {1, 128, 128}, {2, 192, 64},
                             {1, 256, 64}, {2, 96, 128}, {1, 160, 64},  {2, 224, 64}}
         : std::vector<Attn>{{1, 128, 64},  {2, 256, 64},  {1, 256, 128}, {2, 384, 64},
                             {1, 640, 64},  {1, 384, 128}, {1, 192, 64},  {2, 320, 64},
                             {1, 320, 128}, {1, 576, 64},  {1, 704, 64},  {2, 192, 128}};
  std::vector<KernelShape> out;
  for (const Attn& a : grid) {
    KernelShape s;
    s.batch = 1;
    s.heads = a.heads;
    s.seq_q = s.seq_kv = a.seq * (full ? 2 : 1);
    s.head_dim_qk = s.head_dim_v = a.dim;
    s.causal = true;
    out.push_back(s);
  }
  return out;
}

std::vector<KernelShape> collective_grid(GridSize g) {
  const double mib = 1024.0 * 1024.0;
  const bool ci = g == GridSize::kCi;
  const bool full = g == GridSize::kFull;
  // Bytes per participant (send and receive buffers together stay within a private L2
  // for CI and quick grids); DRAM-sized for the full grid.
  const std::vector<double> sizes =
      ci ? std::vector<double>{0.03125, 0.0625, 0.09375, 0.125, 0.15625, 0.1875, 0.046875, 0.078125}
      : full ? std::vector<double>{16, 20, 24, 28, 32, 40, 48, 56, 64, 72, 80, 36}
             : std::vector<double>{0.03125, 0.0625, 0.09375,  0.125,    0.15625,  0.1875,
                                   0.21875, 0.25,   0.046875, 0.078125, 0.109375, 0.140625};
  std::vector<KernelShape> out;
  for (double sz : sizes) {
    KernelShape s;
    s.participants = 2;
    s.bytes = sz * mib * (full ? 2 : 1);
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::vector<KernelClass> cpu_kernel_classes() {
  return {KernelClass::kGemmFp32,  KernelClass::kGemmBf16,     KernelClass::kGemmFp8,
          KernelClass::kMemoryBound, KernelClass::kRmsNorm,    KernelClass::kSwiGlu,
          KernelClass::kSoftmax,   KernelClass::kFp8Quantize,  KernelClass::kAttentionFwd,
          KernelClass::kAllReduce, KernelClass::kAllToAll,     KernelClass::kLaunch};
}

std::vector<KernelShape> cpu_grid(KernelClass c, GridSize g) {
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8: return gemm_grid(g);
    case KernelClass::kMemoryBound: return memory_bound_grid(g);
    case KernelClass::kRmsNorm:
    case KernelClass::kSwiGlu:
    case KernelClass::kSoftmax:
    case KernelClass::kFp8Quantize: return rows_cols_grid(g);
    case KernelClass::kAttentionFwd: return attention_grid(g);
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll: return collective_grid(g);
    case KernelClass::kLaunch: return std::vector<KernelShape>(8);  // repeated batches
    case KernelClass::kGroupedGemmFp8:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2: break;
  }
  throw UserError(fmt::format("no CPU reference kernel for class {}", kernel_class_name(c)));
}

Profile calibrate_cpu(const CalibrationOptions& o) {
  if (o.threads < 1 || o.threads > 256) {
    throw UserError(fmt::format("--threads = {}: between 1 and 256", o.threads));
  }
  TimingOptions timing;
  switch (o.grid) {
    case GridSize::kCi: timing = TimingOptions{1, 3, 5, 0.005}; break;
    case GridSize::kQuick: timing = TimingOptions{1, 5, 15, 0.02}; break;
    case GridSize::kFull: timing = TimingOptions{2, 5, 21, 0.1}; break;
  }
  const std::vector<KernelClass> classes = o.classes.empty() ? cpu_kernel_classes() : o.classes;
  for (KernelClass c : classes) cpu_grid(c, o.grid);  // a class without a kernel fails first
  const CpuPeaks peaks = probe_cpu_peaks(timing, o.threads);
  Profile p;
  p.name = "cpu-measured";
  p.device = fmt::format("CPU: {}, {} thread(s) used", cpu_description(), o.threads);
  p.date = o.date;
  p.method = "measured";
  p.generator = o.generator;
  p.sources = {"costmodel/time/calibration/cpu_kernels.cpp (reference kernels, OpenBLAS sgemm)",
               peaks.source};
  MeasurementPlan plan;
  plan.classes = classes;
  // Many passes for the quick grid, up to 48 for the classes that have not settled (see
  // measured_calibration.cpp): other processes on a shared machine slow down whole
  // stretches of time. Each shape is timed beside the class's reference shape (paired: see
  // measured_calibration.hpp), since this CPU's speed changes by whole factors from one
  // stretch to the next. A time budget keeps --quick under a minute however loaded the machine.
  plan.rounds = o.grid == GridSize::kCi ? 1 : o.grid == GridSize::kQuick ? 48 : 5;
  plan.budget_s = o.grid == GridSize::kQuick ? 40.0 : o.grid == GridSize::kCi ? 20.0 : 1e9;
  plan.paired = true;
  plan.min_rounds = std::min(plan.rounds, 4);  // a median of ratios needs a few passes
  plan.shapes = [&o](KernelClass c) { return cpu_grid(c, o.grid); };
  plan.measure = [&](KernelClass c, const KernelShape& s) {
    return measure_cpu_kernel(c, s, timing, o.threads);
  };
  plan.setup = [&](KernelClass c) {
    ClassSetup setup;
    KernelModel& start = setup.start;
    start.peak_flops_per_s = peaks.flops_per_s;
    start.peak_bytes_per_s = peaks.bytes_per_s;
    start.units = o.threads;
    start.overhead_s = 1e-6;
    FreeParameters& free = setup.free;
    free.max_efficiency = 1000.0;  // the peaks are probes on this machine, not limits
    free.overhead = true;
    switch (c) {
      case KernelClass::kGemmFp32:
      case KernelClass::kGemmBf16:
      case KernelClass::kGemmFp8:
      case KernelClass::kAttentionFwd:
        free.compute_efficiency = free.memory_efficiency = free.combine_exponent = true;
        if (c == KernelClass::kAttentionFwd) {
          start.tile = TileShape{64, 0, TilePolicy::kFixed};
          free.elementwise_rate = true;  // the softmax: per visible pair, whatever the head dim
        }
        // The FP8 reference dequantizes A and B (a table look-up and a scale per element)
        // before its sgemm: a cost per operand element that FLOPs and bytes do not capture.
        if (c == KernelClass::kGemmFp8) free.elementwise_rate = true;
        break;
      case KernelClass::kLaunch: break;
      default: free.memory_efficiency = true; break;
    }
    setup.peak_source = "CPU probes (see sources)";
    return setup;
  };
  plan.progress = o.progress;
  p.classes = measure_and_fit(plan);
  return p;
}

}  // namespace llmsim::calibration
