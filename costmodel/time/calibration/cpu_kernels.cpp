#include "costmodel/time/calibration/cpu_kernels.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

#include <cblas.h>
#include <fmt/format.h>

#include "costmodel/time/calibration/fp8.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

Timing summarize_timings(std::vector<double> t) {
  LLMSIM_CHECK(!t.empty(), "no timings");
  std::sort(t.begin(), t.end());
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(t.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, t.size() - 1);
    return t[lo] + (pos - static_cast<double>(lo)) * (t[hi] - t[lo]);
  };
  Timing r;
  r.median_s = at(0.5);
  r.p10_s = at(0.1);
  r.p90_s = at(0.9);
  r.reps = static_cast<int>(t.size());
  return r;
}

namespace {

// Deterministic fill in [-1, 1): the values do not matter for timing, only that they are
// finite, varied and not denormal.
void fill(std::vector<float>& v, std::uint32_t seed) {
  std::uint32_t x = seed * 2654435761u + 1u;
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = static_cast<float>(x >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
}

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }
int bi(std::int64_t v) { return static_cast<int>(v); }

// OpenBLAS's thread count, set for one measurement and restored after.
class BlasThreads {
 public:
  explicit BlasThreads(int n) : saved_(openblas_get_num_threads()) { openblas_set_num_threads(n); }
  ~BlasThreads() { openblas_set_num_threads(saved_); }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int saved_;
};

// E4M3 code of x (|x| <= 448 after scaling), rounded to nearest even: the bit-level version
// of round_to_e4m3, fast enough to be the timed quantize kernel. Agrees with round_to_e4m3
// (tests/costmodel/time/calibration/fp8_test.cpp checks every code and every tie).
// Branch-free on purpose: with branches, about 43% of values (those in [256, 448) after
// scaling) took a data-dependent one, and the branch predictor learnt the calibration's
// repeated inputs better the smaller they were, so the measured time per element grew from
// 3.4 to 7.3 ns over the --quick grid (16 to 96 Ki elements) on one run: not a time linear in
// bytes, and fp8_quantize missed its fit by 30%. A real quantizer (a GPU's cvt, SIMD) has no
// such branch.
std::uint8_t e4m3_code(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t sign = (u >> 24) & 0x80u;
  const float a = std::fabs(x);
  // Below 2^-6: subnormal, steps of 2^-9. Adding and taking away 1.5 * 2^23 rounds a * 512
  // (< 8) to an integer, ties to even, in the default rounding mode.
  const float rounded = (a * 512.0f + 12582912.0f) - 12582912.0f;
  const auto subnormal = static_cast<std::uint32_t>(rounded);
  std::uint32_t v = u & 0x7fffffffu;
  v += 0x7ffffu + ((v >> 20) & 1u);  // round the 23-bit mantissa to 3 bits, ties to even
  // (biased exponent - 127 + 7) << 3 | 3 mantissa bits, saturating at 0x7e (448).
  const std::uint32_t normal = std::min<std::uint32_t>((v >> 20) - ((127u - 7u) << 3), 0x7eu);
  return static_cast<std::uint8_t>(sign | (a < 0.015625f ? subnormal : normal));
}

std::array<float, 256> e4m3_table() {
  std::array<float, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const int e = (c >> 3) & 0xf, m = c & 7;
    float v = e == 0 ? std::ldexp(static_cast<float>(m), -9)
                     : std::ldexp(1.0f + static_cast<float>(m) / 8.0f, e - 7);
    if (e == 15 && m == 7) v = 0.0f;  // NaN code: never produced by the quantizer
    t[sz(c)] = (c & 0x80) ? -v : v;
  }
  return t;
}

// Quantizes rows x cols with one scale per (block_rows x 128) block: the FP8 quantize kernel.
void quantize_blocks(const float* x, std::int64_t rows, std::int64_t cols, std::int64_t block_rows,
                     std::uint8_t* codes, float* scales) {
  const std::int64_t bc = 128;
  const std::int64_t nbc = (cols + bc - 1) / bc;
  for (std::int64_t r0 = 0; r0 < rows; r0 += block_rows) {
    const std::int64_t r1 = std::min(rows, r0 + block_rows);
    for (std::int64_t b = 0; b < nbc; ++b) {
      const std::int64_t c0 = b * bc, c1 = std::min(cols, c0 + bc);
      float amax = 0.0f;
      for (std::int64_t r = r0; r < r1; ++r) {
        for (std::int64_t c = c0; c < c1; ++c) amax = std::max(amax, std::fabs(x[r * cols + c]));
      }
      const float scale = amax > 0.0f ? amax / static_cast<float>(kE4m3Max) : 1.0f;
      const float inv = 1.0f / scale;
      scales[(r0 / block_rows) * nbc + b] = scale;
      for (std::int64_t r = r0; r < r1; ++r) {
        for (std::int64_t c = c0; c < c1; ++c) {
          codes[r * cols + c] = e4m3_code(x[r * cols + c] * inv);
        }
      }
    }
  }
}

Measurement finish(KernelClass c, const KernelShape& s, const Timing& t, const std::string& what) {
  Measurement m;
  m.shape = s;
  m.seconds = t.p10_s;
  m.median_s = t.median_s;
  m.spread = t.spread();
  m.label = fmt::format("{} {} ({} reps)", what, describe_shape(c, s), t.reps);
  return m;
}

Measurement gemm_fp32(const KernelShape& s, const TimingOptions& opt) {
  std::vector<float> a(sz(s.m * s.k)), b(sz(s.k * s.n)), c(sz(s.m * s.n));
  fill(a, 1);
  fill(b, 2);
  const Timing t = time_repeated(
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bi(s.m), bi(s.n), bi(s.k), 1.0f,
                    a.data(), bi(s.k), b.data(), bi(s.n), 0.0f, c.data(), bi(s.n));
      },
      opt);
  return finish(KernelClass::kGemmFp32, s, t, "OpenBLAS sgemm");
}

Measurement gemm_bf16(const KernelShape& s, const TimingOptions& opt) {
  std::vector<float> a(sz(s.m * s.k)), b(sz(s.k * s.n)), c(sz(s.m * s.n));
  fill(a, 3);
  fill(b, 4);
  // BF16 storage (rounded to nearest even, not timed: a BF16 model holds BF16 tensors).
  // Debian's OpenBLAS has no sbgemm and this CPU no BF16 arithmetic, so the kernel widens the
  // BF16 operands to FP32 (exact) and multiplies with FP32 accumulation, as a BF16 GEMM
  // without BF16 units runs.
  auto to_bf16 = [](const std::vector<float>& x) {
    std::vector<std::uint16_t> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      out[i] = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(round_to_bf16(x[i])) >> 16);
    }
    return out;
  };
  const auto a16 = to_bf16(a), b16 = to_bf16(b);
  const Timing t = time_repeated(
      [&] {
        for (std::size_t i = 0; i < a16.size(); ++i) {
          a[i] = std::bit_cast<float>(static_cast<std::uint32_t>(a16[i]) << 16);
        }
        for (std::size_t i = 0; i < b16.size(); ++i) {
          b[i] = std::bit_cast<float>(static_cast<std::uint32_t>(b16[i]) << 16);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bi(s.m), bi(s.n), bi(s.k), 1.0f,
                    a.data(), bi(s.k), b.data(), bi(s.n), 0.0f, c.data(), bi(s.n));
      },
      opt);
  return finish(KernelClass::kGemmBf16, s, t, "BF16 GEMM (BF16 storage widened, OpenBLAS sgemm)");
}

Measurement gemm_fp8(const KernelShape& s, const TimingOptions& opt) {
  if (s.k % 128 != 0) {
    throw UserError(fmt::format("gemm_fp8 reference kernel: k = {}: must be a multiple of 128 "
                                "(one scale per 128 elements of K)",
                                s.k));
  }
  std::vector<float> a(sz(s.m * s.k)), b(sz(s.k * s.n)), c(sz(s.m * s.n));
  fill(a, 5);
  fill(b, 6);
  const std::int64_t kb = s.k / 128, nb = (s.n + 127) / 128;
  std::vector<std::uint8_t> qa(a.size()), qb(b.size());
  std::vector<float> sa(sz(s.m * kb)), sb(sz(kb * nb));
  quantize_blocks(a.data(), s.m, s.k, 1, qa.data(), sa.data());  // 1 x 128 activation tiles
  // Weights: 128 x 128 blocks of B (k x n), blocked along k rows and n columns.
  quantize_blocks(b.data(), s.k, s.n, 128, qb.data(), sb.data());
  const auto table = e4m3_table();
  const Timing t = time_repeated(
      [&] {
        // Dequantize A and B block by block (E4M3 code -> value x its block's scale) into FP32
        // operands, then multiply with FP32 accumulation. This CPU has no FP8 arithmetic, so
        // FP32 accumulation stands in for the FP8 MMA plus promotion every 128 of DeepGEMM.
        for (std::int64_t i = 0; i < s.m; ++i) {
          for (std::int64_t q = 0; q < kb; ++q) {
            const float scale = sa[sz(i * kb + q)];
            const std::uint8_t* src = &qa[sz(i * s.k + q * 128)];
            float* dst = &a[sz(i * s.k + q * 128)];
            for (int j = 0; j < 128; ++j) dst[j] = table[src[j]] * scale;
          }
        }
        for (std::int64_t r = 0; r < s.k; ++r) {
          const std::uint8_t* src = &qb[sz(r * s.n)];
          float* dst = &b[sz(r * s.n)];
          const float* scales = &sb[sz((r / 128) * nb)];
          for (std::int64_t j = 0; j < s.n; ++j) dst[j] = table[src[j]] * scales[j / 128];
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bi(s.m), bi(s.n), bi(s.k), 1.0f,
                    a.data(), bi(s.k), b.data(), bi(s.n), 0.0f, c.data(), bi(s.n));
      },
      opt);
  return finish(KernelClass::kGemmFp8, s, t,
                "FP8 E4M3 GEMM (1x128 / 128x128 scales, dequantize, FP32 sgemm)");
}

Measurement memory_bound(const KernelShape& s, const TimingOptions& opt) {
  // bytes / 8 floats copied (read + write = 8 bytes per float), or bytes / 12 for triad.
  // rows = 0: copy; rows = 1: triad a = b + 3 c.
  const bool triad = s.rows == 1;
  const std::int64_t n = static_cast<std::int64_t>(s.bytes / (triad ? 12.0 : 8.0));
  std::vector<float> x(sz(n)), y(sz(n)), z(triad ? sz(n) : 0);
  fill(x, 7);
  fill(y, 8);
  if (triad) fill(z, 9);
  const Timing t = time_repeated(
      [&] {
        if (triad) {
          float* a = y.data();
          const float* bb = x.data();
          const float* cc = z.data();
          for (std::int64_t i = 0; i < n; ++i) a[i] = bb[i] + 3.0f * cc[i];
        } else {
          std::memcpy(y.data(), x.data(), sz(n) * sizeof(float));
        }
      },
      opt);
  return finish(KernelClass::kMemoryBound, s, t, triad ? "triad" : "copy");
}

Measurement rows_cols(KernelClass c, const KernelShape& s, const TimingOptions& opt) {
  const std::int64_t rows = s.rows, cols = s.cols, n = rows * cols;
  std::vector<float> x(sz(n)), y(sz(n)), u(c == KernelClass::kSwiGlu ? sz(n) : 0), w(sz(cols));
  fill(x, 10);
  fill(w, 11);
  if (!u.empty()) fill(u, 12);
  std::vector<std::uint8_t> codes(c == KernelClass::kFp8Quantize ? sz(n) : 0);
  std::vector<float> scales(c == KernelClass::kFp8Quantize ? sz(rows * ((cols + 127) / 128)) : 0);
  std::function<void()> fn;
  std::string what;
  switch (c) {
    case KernelClass::kRmsNorm:
      what = "RMSNorm";
      fn = [&] {
        for (std::int64_t r = 0; r < rows; ++r) {
          const float* xr = &x[sz(r * cols)];
          float* yr = &y[sz(r * cols)];
          float ss = 0.0f;
          for (std::int64_t j = 0; j < cols; ++j) ss += xr[j] * xr[j];
          const float inv = 1.0f / std::sqrt(ss / static_cast<float>(cols) + 1e-6f);
          for (std::int64_t j = 0; j < cols; ++j) yr[j] = xr[j] * inv * w[sz(j)];
        }
      };
      break;
    case KernelClass::kSwiGlu:
      what = "SwiGLU";
      fn = [&] {
        for (std::int64_t i = 0; i < n; ++i) {
          const float g = x[sz(i)];
          y[sz(i)] = g / (1.0f + std::exp(-g)) * u[sz(i)];
        }
      };
      break;
    case KernelClass::kSoftmax:
      what = "softmax";
      fn = [&] {
        for (std::int64_t r = 0; r < rows; ++r) {
          const float* xr = &x[sz(r * cols)];
          float* yr = &y[sz(r * cols)];
          float mx = xr[0];
          for (std::int64_t j = 1; j < cols; ++j) mx = std::max(mx, xr[j]);
          float sum = 0.0f;
          for (std::int64_t j = 0; j < cols; ++j) sum += (yr[j] = std::exp(xr[j] - mx));
          const float inv = 1.0f / sum;
          for (std::int64_t j = 0; j < cols; ++j) yr[j] *= inv;
        }
      };
      break;
    case KernelClass::kFp8Quantize:
      what = "FP8 quantize (1x128 tiles)";
      fn = [&] { quantize_blocks(x.data(), rows, cols, 1, codes.data(), scales.data()); };
      break;
    default: LLMSIM_CHECK(false, "not a rows x cols kernel");
  }
  const Timing t = time_repeated(fn, opt);
  return finish(c, s, t, what);
}

Measurement attention_fwd(const KernelShape& s, const TimingOptions& opt) {
  if (!s.causal || s.seq_q != s.seq_kv || s.head_dim_qk != s.head_dim_v) {
    throw UserError("attention_fwd reference kernel: causal self-attention with equal head "
                    "dims only");
  }
  const std::int64_t bh = s.batch * s.heads, sq = s.seq_q, d = s.head_dim_qk;
  const std::int64_t tile = 64;
  std::vector<float> q(sz(bh * sq * d)), k(q.size()), v(q.size()), o(q.size());
  fill(q, 13);
  fill(k, 14);
  fill(v, 15);
  std::vector<float> p(sz(tile * sq));
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const Timing t = time_repeated(
      [&] {
        for (std::int64_t h = 0; h < bh; ++h) {
          const float* qh = &q[sz(h * sq * d)];
          const float* kh = &k[sz(h * sq * d)];
          const float* vh = &v[sz(h * sq * d)];
          float* oh = &o[sz(h * sq * d)];
          for (std::int64_t r0 = 0; r0 < sq; r0 += tile) {
            const std::int64_t rows = std::min(tile, sq - r0);
            const std::int64_t keys = r0 + rows;  // causal: keys up to the tile's last query
            // S = Q_t K^T (rows x keys), scaled.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bi(rows), bi(keys), bi(d), scale,
                        qh + r0 * d, bi(d), kh, bi(d), 0.0f, p.data(), bi(keys));
            for (std::int64_t r = 0; r < rows; ++r) {
              float* pr = &p[sz(r * keys)];
              const std::int64_t visible = r0 + r + 1;
              float mx = pr[0];
              for (std::int64_t j = 1; j < visible; ++j) mx = std::max(mx, pr[j]);
              float sum = 0.0f;
              for (std::int64_t j = 0; j < visible; ++j) sum += (pr[j] = std::exp(pr[j] - mx));
              const float inv = 1.0f / sum;
              for (std::int64_t j = 0; j < visible; ++j) pr[j] *= inv;
              for (std::int64_t j = visible; j < keys; ++j) pr[j] = 0.0f;
            }
            // O_t = P V.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bi(rows), bi(d), bi(keys), 1.0f,
                        p.data(), bi(keys), vh, bi(d), 0.0f, oh + r0 * d, bi(d));
          }
        }
      },
      opt);
  return finish(KernelClass::kAttentionFwd, s, t, "tiled causal attention forward (64-row tiles)");
}

// A barrier that spins rather than sleeping in the kernel: waking a sleeping thread costs tens
// of microseconds on a loaded machine, more than the copies timed. `yield`: after a while,
// give the CPU to another thread, for threads that may share one; threads pinned to CPUs of
// their own do not, since a thread that yields to a busy process on its CPU hands it its time
// slice at every wait and hardly ever runs beside the other threads (a 2-thread all-to-all
// with the other CPU busy: held-out errors up to 26%, ratios to the reference spread 130 to
// 440% over passes).
class SpinBarrier {
 public:
  SpinBarrier(int n, bool yield) : n_(n), yield_(yield) {}
  void arrive_and_wait() {
    const int gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == gen; ++spins) {
      if (yield_ && spins > 2000) std::this_thread::yield();
    }
  }

 private:
  const int n_;
  const bool yield_;
  std::atomic<int> arrived_{0};
  std::atomic<int> generation_{0};
};

// The CPUs this thread may run on, in order (empty where the platform cannot say).
std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
#ifdef __linux__
  cpu_set_t set;
  if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
#endif
  return cpus;
}

// Keeps the calling thread on CPU `cpu` while alive and restores its allowed set after;
// a no-op for cpu < 0 or where the platform has no affinity call.
class PinToCpu {
 public:
  explicit PinToCpu(int cpu) {
#ifdef __linux__
    if (cpu < 0 || pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
#else
    (void)cpu;
#endif
  }
  ~PinToCpu() {
#ifdef __linux__
    if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
#endif
  }
  PinToCpu(const PinToCpu&) = delete;
  PinToCpu& operator=(const PinToCpu&) = delete;

 private:
#ifdef __linux__
  cpu_set_t saved_{};
#endif
  bool pinned_ = false;
};

// Runs body(thread_index) on `n` threads (the caller is thread 0) `reps + warmup` times;
// returns the time of each timed run, from the first thread's start to the closing barrier:
// a thread preempted after the opening barrier starts late and the others start without it,
// so timing from thread 0's own start alone could miss their work and read short. Thread i
// is pinned to the i-th allowed CPU where there are n: left to the scheduler on a loaded
// machine, two threads sometimes share one CPU and take turns (seen on a 2-vCPU VM with the
// other CPU busy: a 32 KiB all-to-all took 0.6, 1.1 or 7 us pass by pass unpinned, as the
// two threads met on one CPU, on two, or across a time slice; 0.8 to 1.0 us pinned).
// Stops after `max_seconds` too (at least one timed run): on a loaded machine a run whose
// threads wait out each other's time slices takes milliseconds, not microseconds.
std::vector<double> run_team(int n, int warmup, int reps, double max_seconds,
                             const std::function<void(int, SpinBarrier&)>& body) {
  const std::vector<int> cpus = allowed_cpus();
  const bool pin = static_cast<int>(cpus.size()) >= n;
  SpinBarrier sync(n, !pin);
  std::vector<double> times;
  std::vector<Clock::time_point> started(sz(n));
  std::atomic<bool> stop{false};  // set by thread 0 between runs, read by all after a barrier
  const auto team_start = Clock::now();
  auto loop = [&](int id) {
    const PinToCpu self(pin ? cpus[sz(id)] : -1);
    for (int r = 0; r < warmup + reps; ++r) {
      sync.arrive_and_wait();
      if (stop.load(std::memory_order_acquire)) break;
      started[sz(id)] = Clock::now();
      body(id, sync);
      sync.arrive_and_wait();  // every thread's start is written before this
      if (id == 0 && r >= warmup) {
        const auto first = *std::min_element(started.begin(), started.end());
        times.push_back(std::chrono::duration<double>(Clock::now() - first).count());
        if (seconds_since(team_start) > max_seconds) stop.store(true, std::memory_order_release);
      }
    }
  };
  std::vector<std::jthread> workers;
  for (int i = 1; i < n; ++i) workers.emplace_back(loop, i);
  loop(0);
  return times;
}

int team_reps(const TimingOptions& opt) { return std::max(opt.min_reps, opt.max_reps); }

Measurement communication(KernelClass c, const KernelShape& s, const TimingOptions& opt) {
  const int p = static_cast<int>(s.participants);
  if (p < 2 || p > 64) {
    throw UserError(fmt::format("{} reference kernel: participants = {}: between 2 and 64",
                                kernel_class_name(c), p));
  }
  // Each participant's buffer holds `bytes` (floats), split in p chunks.
  const std::int64_t n = std::max<std::int64_t>(p, static_cast<std::int64_t>(s.bytes / 4.0));
  const std::int64_t chunk = n / p;
  std::vector<std::vector<float>> send(sz(p), std::vector<float>(sz(n))), recv = send;
  for (int i = 0; i < p; ++i) fill(send[sz(i)], static_cast<std::uint32_t>(20 + i));
  std::function<void(int, SpinBarrier&)> body;
  if (c == KernelClass::kAllReduce) {
    // Ring: p-1 reduce-scatter steps (add the left neighbour's chunk), p-1 all-gather steps
    // (copy the left neighbour's finished chunk), a barrier after each step.
    body = [&](int id, SpinBarrier& sync) {
      const int left = (id + p - 1) % p;
      for (int step = 0; step < p - 1; ++step) {
        const int ch = (id - step - 1 + 2 * p) % p;
        float* dst = &send[sz(id)][sz(ch * chunk)];
        const float* src = &send[sz(left)][sz(ch * chunk)];
        for (std::int64_t i = 0; i < chunk; ++i) dst[i] += src[i];
        sync.arrive_and_wait();
      }
      for (int step = 0; step < p - 1; ++step) {
        const int ch = (id - step + 2 * p) % p;
        std::memcpy(&send[sz(id)][sz(ch * chunk)], &send[sz(left)][sz(ch * chunk)],
                    sz(chunk) * sizeof(float));
        sync.arrive_and_wait();
      }
    };
  } else {
    body = [&](int id, SpinBarrier&) {
      for (int dst = 0; dst < p; ++dst) {
        std::memcpy(&recv[sz(dst)][sz(id * chunk)], &send[sz(id)][sz(dst * chunk)],
                    sz(chunk) * sizeof(float));
      }
    };
  }
  // The fastest repetition, once three are within 5% of it: on a loaded machine few
  // repetitions find every thread running at once, and the others wait out a time slice (the
  // median was milliseconds with both CPUs busy). Batches of four times the repetitions of
  // other kernels (each is a few us) until then, for at most 8 batches or about 20 ms.
  std::vector<double> times;
  const auto start = Clock::now();
  for (int batch = 0; batch < 8 && (batch == 0 || seconds_since(start) < 0.02); ++batch) {
    const std::vector<double> more = run_team(p, opt.warmup, 4 * team_reps(opt), 0.02, body);
    times.insert(times.end(), more.begin(), more.end());
    const double fastest = *std::min_element(times.begin(), times.end());
    if (std::count_if(times.begin(), times.end(), [&](double t) { return t <= 1.05 * fastest; }) >=
        3) {
      break;
    }
  }
  Measurement m = finish(c, s, summarize_timings(times),
                         c == KernelClass::kAllReduce ? "ring all-reduce between threads"
                                                      : "all-to-all between threads");
  m.seconds = *std::min_element(times.begin(), times.end());
  return m;
}

Measurement launch(const KernelShape& s, const TimingOptions& opt) {
  // The round trip of a dispatch: the caller posts an empty task to a spinning worker thread
  // and waits until the worker reports it done. Caller and worker are pinned to two different
  // CPUs where two are allowed: left to the scheduler, both sometimes share one CPU, and the
  // handoff then measures the time slice, not the dispatch (seen on a 2-vCPU VM: 0.04 us
  // shared vs 0.25 us on two CPUs, shape by shape). Each batch's figure is the mean of its
  // fastest 90% (single round trips are near the clock's resolution; the slowest 10% are
  // preemptions). Pinned, both spin without yielding (see SpinBarrier).
  const int reps = 200;
  std::atomic<int> posted{0};
  std::atomic<int> done{0};
  std::vector<double> per;
  const std::vector<int> cpus = allowed_cpus();
  const bool two = cpus.size() >= 2;
  {
    const PinToCpu caller(two ? cpus[0] : -1);
    std::jthread worker([&] {
      const PinToCpu self(two ? cpus[1] : -1);
      for (int seen = 0;;) {
        int task = 0;
        for (int spins = 0; (task = posted.load(std::memory_order_acquire)) == seen; ++spins) {
          if (!two && spins > 2000) std::this_thread::yield();
        }
        if (task < 0) return;
        seen = task;
        done.store(task, std::memory_order_release);  // the empty task
      }
    });
    int task = 0;
    std::vector<double> times;
    for (int batch = 0; batch < team_reps(opt); ++batch) {
      times.clear();
      for (int r = 0; r < reps + 5; ++r) {
        const auto t0 = Clock::now();
        posted.store(++task, std::memory_order_release);
        for (int spins = 0; done.load(std::memory_order_acquire) != task; ++spins) {
          if (!two && spins > 2000) std::this_thread::yield();
        }
        if (r >= 5) times.push_back(seconds_since(t0));
      }
      std::sort(times.begin(), times.end());
      times.resize(times.size() * 9 / 10);
      double sum = 0.0;
      for (double t : times) sum += t;
      per.push_back(sum / static_cast<double>(times.size()));
    }
    posted.store(-1, std::memory_order_release);
  }
  return finish(KernelClass::kLaunch, s, summarize_timings(per),
                "empty task dispatched to a thread on another CPU");
}

}  // namespace

std::uint8_t e4m3_encode(float x) { return e4m3_code(x); }
float e4m3_decode(std::uint8_t code) { return e4m3_table()[code]; }

Timing time_repeated(const std::function<void()>& fn, const TimingOptions& opt) {
  for (int i = 0; i < opt.warmup; ++i) fn();
  std::vector<double> t;
  const auto start = Clock::now();
  while (static_cast<int>(t.size()) < opt.max_reps) {
    const auto t0 = Clock::now();
    fn();
    t.push_back(seconds_since(t0));
    if (static_cast<int>(t.size()) >= opt.min_reps && seconds_since(start) >= opt.target_seconds) {
      break;
    }
  }
  return summarize_timings(t);
}

Measurement measure_cpu_kernel(KernelClass c, const KernelShape& shape, const TimingOptions& opt,
                               int threads) {
  const BlasThreads blas(threads);
  switch (c) {
    case KernelClass::kGemmFp32: return gemm_fp32(shape, opt);
    case KernelClass::kGemmBf16: return gemm_bf16(shape, opt);
    case KernelClass::kGemmFp8: return gemm_fp8(shape, opt);
    case KernelClass::kMemoryBound: return memory_bound(shape, opt);
    case KernelClass::kRmsNorm:
    case KernelClass::kSwiGlu:
    case KernelClass::kSoftmax:
    case KernelClass::kFp8Quantize: return rows_cols(c, shape, opt);
    case KernelClass::kAttentionFwd: return attention_fwd(shape, opt);
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll: return communication(c, shape, opt);
    case KernelClass::kLaunch: return launch(shape, opt);
    case KernelClass::kGroupedGemmFp8:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2: break;
  }
  throw UserError(fmt::format("no CPU reference kernel for class {}", kernel_class_name(c)));
}

CpuPeaks probe_cpu_peaks(const TimingOptions& opt, int threads) {
  // Fastest of three passes, as for the grid (cpu_calibration.cpp).
  KernelShape g;
  g.m = g.n = g.k = 256;
  KernelShape c;
  c.bytes = 2.0 * 256.0 * 1024;  // a 256 KiB copy (read + write): inside a private L2
  Measurement mg, mc;
  for (int pass = 0; pass < 3; ++pass) {
    const Measurement a = measure_cpu_kernel(KernelClass::kGemmFp32, g, opt, threads);
    const Measurement b = measure_cpu_kernel(KernelClass::kMemoryBound, c, opt, threads);
    if (pass == 0 || a.seconds < mg.seconds) mg = a;
    if (pass == 0 || b.seconds < mc.seconds) mc = b;
  }
  CpuPeaks p;
  p.flops_per_s = 2.0 * 256.0 * 256.0 * 256.0 / mg.seconds;  // seconds: 10th percentile
  p.bytes_per_s = c.bytes / mc.seconds;
  p.source = fmt::format("measured on this machine: FP32 sgemm 256x256x256 at {:.1f} GFLOP/s and "
                         "a 256 KiB copy at {:.1f} GB/s (read + write) with {} thread(s); "
                         "efficiencies are relative to these probes",
                         p.flops_per_s / 1e9, p.bytes_per_s / 1e9, threads);
  return p;
}

std::string cpu_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      ++n;
      const auto colon = line.find(':');
      if (colon != std::string::npos && model.empty()) model = line.substr(colon + 2);
    }
  }
  if (model.empty()) model = "unknown CPU";
  return n > 0 ? fmt::format("{} ({} logical CPUs)", model, n) : model;
}

}  // namespace llmsim::calibration
