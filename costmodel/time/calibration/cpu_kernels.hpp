#pragma once
// Reference kernels on the CPU at hand, each timed with warm-up and repetitions (median and
// spread). GEMMs run through OpenBLAS: FP32 (sgemm), BF16 (BF16 storage widened to FP32, then
// sgemm: Debian's OpenBLAS has no sbgemm) and FP8 as DeepSeek-V3 stores it (E4M3 codes with 1x128 activation and
// 128x128 weight scales, dequantized block by block and multiplied with FP32 accumulation:
// this CPU has no FP8 arithmetic), with the quantization timed apart as fp8_quantize. Memory-
// bound kernels: copy, triad, RMSNorm, SwiGLU, softmax, FP8 quantize. A tiled causal
// attention forward. All-reduce and all-to-all between threads through shared memory, and the
// dispatch overhead of handing an empty task to a worker thread.
//
// Threads: GEMMs and the other compute kernels use `threads` OpenBLAS / worker threads;
// communication uses `participants` threads. Timing never touches global state beyond
// OpenBLAS's own thread count, which measure() sets for its duration.

#include <cstdint>
#include <functional>
#include <vector>

#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/kernel_class.hpp"

namespace llmsim::calibration {

struct TimingOptions {
  int warmup = 1;
  int min_reps = 3;
  int max_reps = 15;
  double target_seconds = 0.08;  // stop repeating once this much time was spent
};

struct Timing {
  double median_s = 0.0;
  double p10_s = 0.0;
  double p90_s = 0.0;
  int reps = 0;
  double spread() const { return median_s > 0.0 ? (p90_s - p10_s) / median_s : 0.0; }
};

// Median, 10th and 90th percentile (linear interpolation) of timed repetitions, in seconds.
// Throws InternalError when `seconds` is empty.
Timing summarize_timings(std::vector<double> seconds);

// Times fn(): `warmup` untimed calls, then repetitions until min_reps and target_seconds are
// reached (or max_reps).
Timing time_repeated(const std::function<void()>& fn, const TimingOptions& opt);

// Runs the reference kernel of class `c` on `shape` and times it. Supported classes: all but
// attention_bwd. Throws UserError for an unsupported class.
Measurement measure_cpu_kernel(KernelClass c, const KernelShape& shape, const TimingOptions& opt,
                               int threads);

// Probes: the FP32 FLOP rate of a 256^3 sgemm and the bandwidth of a 256 KiB copy (inside a
// private L2), the "peaks" a CPU profile's efficiencies are relative to.
struct CpuPeaks {
  double flops_per_s = 0.0;
  double bytes_per_s = 0.0;
  std::string source;
};
CpuPeaks probe_cpu_peaks(const TimingOptions& opt, int threads);

// The E4M3 code (sign, 4 exponent bits, 3 mantissa bits) the quantize kernel writes for x,
// and the value a code stands for. Exposed for tests.
std::uint8_t e4m3_encode(float x);
float e4m3_decode(std::uint8_t code);

// "AMD EPYC (2 logical CPUs)", from /proc/cpuinfo where available.
std::string cpu_description();

}  // namespace llmsim::calibration
