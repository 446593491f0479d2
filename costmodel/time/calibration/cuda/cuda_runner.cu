// CudaRunner: device selection, timing with CUDA events, and the set-up of each kernel's
// inputs for time() and for the one-shot calls the tests check against host references.

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>

#include "costmodel/time/calibration/cuda/cuda_support.cuh"

namespace llmsim::calibration::cuda {

void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  throw CudaFailure(std::string(call) + ": " + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) +
                    ")");
}

void check(cublasStatus_t s, const char* call) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  throw CudaFailure(std::string(call) + ": " + cublasGetStatusString(s) + " (" +
                    cublasGetStatusName(s) + ")");
}

void fail(const std::string& what) {
  throw CudaFailure(what);
}

CudaRunner::Impl::~Impl() {
  // Buffers free themselves after this body; the handles go first.
  if (lt != nullptr) cublasLtDestroy(lt);
  if (blas != nullptr) cublasDestroy(blas);
  if (stream != nullptr) cudaStreamDestroy(stream);
}

namespace {

constexpr std::size_t kWorkspaceBytes = 32u << 20;  // cuBLASLt workspace (Hopper: 32 MiB)
constexpr int kLaunchBatch = 256;                   // launches per timed repetition

int attribute(cudaDeviceAttr a, int device, const char* name) {
  int v = 0;
  check(cudaDeviceGetAttribute(&v, a, device), name);
  return v;
}

DeviceInfo query_device() {
  DeviceInfo d;
  check(cudaGetDeviceCount(&d.device_count), "cudaGetDeviceCount");
  if (d.device_count < 1) fail("cudaGetDeviceCount: no CUDA device");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  d.name = prop.name;
  d.cc_major = prop.major;
  d.cc_minor = prop.minor;
  d.global_memory_bytes = static_cast<std::int64_t>(prop.totalGlobalMem);
  // Clock and memory attributes left cudaDeviceProp in CUDA 13; the attributes remain.
  d.sm_count = attribute(cudaDevAttrMultiProcessorCount, 0, "cudaDevAttrMultiProcessorCount");
  d.sm_clock_hz = 1e3 * attribute(cudaDevAttrClockRate, 0, "cudaDevAttrClockRate");
  d.memory_clock_hz = 1e3 * attribute(cudaDevAttrMemoryClockRate, 0, "cudaDevAttrMemoryClockRate");
  d.memory_bus_bits =
      attribute(cudaDevAttrGlobalMemoryBusWidth, 0, "cudaDevAttrGlobalMemoryBusWidth");
  d.l2_bytes = attribute(cudaDevAttrL2CacheSize, 0, "cudaDevAttrL2CacheSize");
  d.max_shared_bytes_per_block = attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin, 0,
                                           "cudaDevAttrMaxSharedMemoryPerBlockOptin");
  check(cudaRuntimeGetVersion(&d.runtime_version), "cudaRuntimeGetVersion");
  check(cudaDriverGetVersion(&d.driver_version), "cudaDriverGetVersion");
  return d;
}

// Runs `call` warmup times, then times repetitions (each `calls` back-to-back calls between
// two events, reported per call) until min_reps and target_seconds are reached, or max_reps.
std::vector<double> time_calls(CudaRunner::Impl& g, const std::function<void()>& call,
                               const GpuTimingOptions& opt, int calls, bool flush_l2) {
  if (opt.min_reps < 1 || opt.max_reps < opt.min_reps)
    fail("timing: need 1 <= min_reps <= max_reps");
  for (int i = 0; i < opt.warmup; ++i) call();
  LLMSIM_CUDA_CHECK(cudaStreamSynchronize(g.stream));
  cudaEvent_t start = nullptr, stop = nullptr;
  LLMSIM_CUDA_CHECK(cudaEventCreate(&start));
  if (const cudaError_t e = cudaEventCreate(&stop); e != cudaSuccess) {
    cudaEventDestroy(start);
    check(e, "cudaEventCreate");
  }
  std::vector<double> out;
  const auto began = std::chrono::steady_clock::now();
  try {
    while (static_cast<int>(out.size()) < opt.max_reps) {
      if (flush_l2) {
        LLMSIM_CUDA_CHECK(cudaMemsetAsync(g.flush.get(), static_cast<int>(out.size() & 0xff),
                                          g.flush.bytes(), g.stream));
      }
      LLMSIM_CUDA_CHECK(cudaEventRecord(start, g.stream));
      for (int i = 0; i < calls; ++i) call();
      LLMSIM_CUDA_CHECK(cudaEventRecord(stop, g.stream));
      LLMSIM_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0.0f;
      LLMSIM_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      out.push_back(static_cast<double>(ms) * 1e-3 / calls);
      const double spent =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      if (static_cast<int>(out.size()) >= opt.min_reps && spent >= opt.target_seconds) break;
    }
  } catch (...) {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    throw;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return out;
}

void need_positive(const char* what, std::int64_t v) {
  if (v < 1) fail(std::string(what) + " = " + std::to_string(v) + ": must be positive");
}

std::vector<float> to_host_transposed(const std::vector<float>& b, std::int64_t k, std::int64_t n) {
  std::vector<float> bt(b.size());
  for (std::int64_t r = 0; r < k; ++r) {
    for (std::int64_t c = 0; c < n; ++c) bt[to_size(c * k + r)] = b[to_size(r * n + c)];
  }
  return bt;
}

GpuTiming time_gemm(CudaRunner::Impl& g, GpuKernel kernel, const GpuShape& s,
                    const GpuTimingOptions& opt) {
  GpuTiming t;
  GemmPlan plan(g, kernel, s.m, s.n, s.k);
  plan.randomize();
  t.seconds = time_calls(
      g, [&] { plan.run(); }, opt, 1, true);
  t.method = plan.method();
  return t;
}

// Copy or triad.
GpuTiming time_stream(CudaRunner::Impl& g, GpuKernel kernel, const GpuShape& s,
                      const GpuTimingOptions& opt) {
  cudaStream_t st = g.stream;
  GpuTiming t;
  need_positive("elements", s.elements);
  const bool triad = kernel == GpuKernel::kTriad;
  DeviceBuffer<float> a(to_size(s.elements)), b(to_size(s.elements)),
      c(triad ? to_size(s.elements) : 0);
  fill_uniform(b.get(), s.elements, 7, st);
  if (triad) fill_uniform(c.get(), s.elements, 8, st);
  t.seconds = time_calls(
      g,
      [&] {
        if (triad) {
          launch_triad(a.get(), b.get(), c.get(), s.elements, st);
        } else {
          launch_copy(b.get(), a.get(), s.elements, st);
        }
      },
      opt, 1, true);
  t.method = triad ? "triad a = b + 3 c (FP32, CUDA)" : "copy (FP32, CUDA)";
  return t;
}

// RMSNorm, SwiGLU, softmax or FP8 quantization of a rows x cols matrix.
GpuTiming time_rows_cols(CudaRunner::Impl& g, GpuKernel kernel, const GpuShape& s,
                         const GpuTimingOptions& opt) {
  cudaStream_t st = g.stream;
  GpuTiming t;
  need_positive("rows", s.rows);
  need_positive("cols", s.cols);
  const std::int64_t n = s.rows * s.cols;
  DeviceBuffer<float> x(to_size(n)),
      other(kernel == GpuKernel::kSwiGlu ? to_size(n) : to_size(s.cols));
  fill_uniform(x.get(), n, 10, st);
  fill_uniform(other.get(), static_cast<std::int64_t>(other.size()), 11, st);
  DeviceBuffer<float> y(kernel == GpuKernel::kFp8Quantize ? 0 : to_size(n));
  const std::int64_t tiles = (s.cols + 127) / 128;
  DeviceBuffer<__nv_fp8_e4m3> q(kernel == GpuKernel::kFp8Quantize ? to_size(n) : 0);
  DeviceBuffer<float> scales(kernel == GpuKernel::kFp8Quantize ? to_size(s.rows * tiles) : 0);
  std::function<void()> fn;
  switch (kernel) {
    case GpuKernel::kRmsNorm:
      fn = [&] { launch_rmsnorm(x.get(), other.get(), y.get(), s.rows, s.cols, st); };
      t.method = "RMSNorm (FP32, CUDA, one block per row)";
      break;
    case GpuKernel::kSwiGlu:
      fn = [&] { launch_swiglu(x.get(), other.get(), y.get(), n, st); };
      t.method = "SwiGLU (FP32, CUDA)";
      break;
    case GpuKernel::kSoftmax:
      fn = [&] { launch_softmax(x.get(), y.get(), s.rows, s.cols, st); };
      t.method = "softmax (FP32, CUDA, one block per row)";
      break;
    default:
      fn = [&] {
        launch_quantize_1x128(x.get(), s.rows, s.cols, q.get(), scales.get(), tiles, 1, st);
      };
      t.method = "FP8 quantize (1x128 tiles, E4M3, CUDA)";
      break;
  }
  t.seconds = time_calls(g, fn, opt, 1, true);
  return t;
}

GpuTiming time_attention(CudaRunner::Impl& g, const GpuShape& s, const GpuTimingOptions& opt) {
  cudaStream_t st = g.stream;
  GpuTiming t;
  need_positive("batch_heads", s.batch_heads);
  need_positive("seq", s.seq);
  const std::int64_t n = s.batch_heads * s.seq * s.head_dim;
  need_positive("head_dim", s.head_dim);
  DeviceBuffer<float> tmp(to_size(n));
  DeviceBuffer<__nv_bfloat16> q(to_size(n)), k(to_size(n)), v(to_size(n)), o(to_size(n));
  __nv_bfloat16* inputs[] = {q.get(), k.get(), v.get()};
  for (std::uint32_t i = 0; i < 3; ++i) {
    fill_uniform(tmp.get(), n, 13 + i, st);
    float_to_bf16(tmp.get(), inputs[i], n, st);
  }
  t.seconds = time_calls(
      g,
      [&] {
        launch_attention(q.get(), k.get(), v.get(), o.get(), s.batch_heads, s.seq, s.head_dim,
                         g.info.max_shared_bytes_per_block, st);
      },
      opt, 1, true);
  t.method =
      "tiled causal attention forward (64-query tiles, online softmax, BF16 in, "
      "FP32 CUDA cores)";
  return t;
}

}  // namespace

CudaRunner::CudaRunner() : impl_(std::make_unique<Impl>()) {
  Impl& g = *impl_;
  g.info = query_device();
  LLMSIM_CUDA_CHECK(cudaSetDevice(0));
  LLMSIM_CUDA_CHECK(cudaStreamCreateWithFlags(&g.stream, cudaStreamNonBlocking));
  check(cublasCreate(&g.blas), "cublasCreate");
  check(cublasSetStream(g.blas, g.stream), "cublasSetStream");
  check(cublasLtCreate(&g.lt), "cublasLtCreate");
  g.workspace = DeviceBuffer<unsigned char>(kWorkspaceBytes);
  g.flush = DeviceBuffer<unsigned char>(
      to_size(std::max<std::int64_t>(2 * g.info.l2_bytes, std::int64_t{64} << 20)));
}

CudaRunner::~CudaRunner() = default;

const DeviceInfo& CudaRunner::device() const {
  return impl_->info;
}

GpuTiming CudaRunner::time(GpuKernel kernel, const GpuShape& s, const GpuTimingOptions& opt) {
  Impl& g = *impl_;
  cudaStream_t st = g.stream;
  GpuTiming t;
  switch (kernel) {
    case GpuKernel::kGemmFp32:
    case GpuKernel::kGemmBf16:
    case GpuKernel::kGemmFp8: return time_gemm(g, kernel, s, opt);
    case GpuKernel::kCopy:
    case GpuKernel::kTriad: return time_stream(g, kernel, s, opt);
    case GpuKernel::kRmsNorm:
    case GpuKernel::kSwiGlu:
    case GpuKernel::kSoftmax:
    case GpuKernel::kFp8Quantize: return time_rows_cols(g, kernel, s, opt);
    case GpuKernel::kAttentionFwd: return time_attention(g, s, opt);
    case GpuKernel::kLaunch:
      t.seconds = time_calls(
          g, [&] { launch_empty(st); }, opt, kLaunchBatch, false);
      t.method = "empty kernel launch (batches of 256, per launch)";
      return t;
  }
  fail("CudaRunner::time: unknown kernel");
}

GemmResult CudaRunner::gemm(GpuKernel kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                            const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != to_size(m * k) || b.size() != to_size(k * n)) fail("gemm: operand sizes");
  GemmPlan plan(*impl_, kernel, m, n, k);
  plan.upload(a, to_host_transposed(b, k, n));
  plan.run();
  return GemmResult{plan.result(), plan.method()};
}

std::vector<float> CudaRunner::stream(GpuKernel kernel, const std::vector<float>& x,
                                      const std::vector<float>& y) {
  Impl& g = *impl_;
  const std::int64_t n = static_cast<std::int64_t>(x.size());
  need_positive("elements", n);
  DeviceBuffer<float> dx(x.size()), out(x.size());
  dx.upload(x, g.stream);
  if (kernel == GpuKernel::kTriad) {
    if (y.size() != x.size()) fail("triad: b and c differ in size");
    DeviceBuffer<float> dy(y.size());
    dy.upload(y, g.stream);
    launch_triad(out.get(), dx.get(), dy.get(), n, g.stream);
    return out.download(g.stream);
  }
  if (kernel != GpuKernel::kCopy) fail("stream: copy or triad");
  launch_copy(dx.get(), out.get(), n, g.stream);
  return out.download(g.stream);
}

std::vector<float> CudaRunner::rows_cols(GpuKernel kernel, std::int64_t rows, std::int64_t cols,
                                         const std::vector<float>& x,
                                         const std::vector<float>& other) {
  Impl& g = *impl_;
  need_positive("rows", rows);
  need_positive("cols", cols);
  const std::int64_t n = rows * cols;
  if (x.size() != to_size(n)) fail("rows_cols: x is not rows x cols");
  DeviceBuffer<float> dx(x.size()), y(x.size());
  dx.upload(x, g.stream);
  switch (kernel) {
    case GpuKernel::kRmsNorm: {
      if (other.size() != to_size(cols)) fail("rmsnorm: the weight has cols entries");
      DeviceBuffer<float> w(other.size());
      w.upload(other, g.stream);
      launch_rmsnorm(dx.get(), w.get(), y.get(), rows, cols, g.stream);
      return y.download(g.stream);
    }
    case GpuKernel::kSwiGlu: {
      if (other.size() != x.size()) fail("swiglu: up is rows x cols");
      DeviceBuffer<float> up(other.size());
      up.upload(other, g.stream);
      launch_swiglu(dx.get(), up.get(), y.get(), n, g.stream);
      return y.download(g.stream);
    }
    case GpuKernel::kSoftmax:
      launch_softmax(dx.get(), y.get(), rows, cols, g.stream);
      return y.download(g.stream);
    default: fail("rows_cols: rmsnorm, swiglu or softmax");
  }
}

Fp8Tiles CudaRunner::quantize_fp8(std::int64_t rows, std::int64_t cols,
                                  const std::vector<float>& x) {
  Impl& g = *impl_;
  need_positive("rows", rows);
  need_positive("cols", cols);
  if (x.size() != to_size(rows * cols)) fail("quantize_fp8: x is not rows x cols");
  const std::int64_t tiles = (cols + 127) / 128;
  DeviceBuffer<float> dx(x.size()), scales(to_size(rows * tiles));
  DeviceBuffer<__nv_fp8_e4m3> q(x.size());
  dx.upload(x, g.stream);
  launch_quantize_1x128(dx.get(), rows, cols, q.get(), scales.get(), tiles, 1, g.stream);
  const std::vector<__nv_fp8_e4m3> codes = q.download(g.stream);
  Fp8Tiles out;
  out.scales = scales.download(g.stream);
  out.codes.resize(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) out.codes[i] = codes[i].__x;
  return out;
}

std::vector<float> CudaRunner::attention(std::int64_t batch_heads, std::int64_t seq,
                                         std::int64_t head_dim, const std::vector<float>& q,
                                         const std::vector<float>& k, const std::vector<float>& v) {
  Impl& g = *impl_;
  need_positive("batch_heads", batch_heads);
  need_positive("seq", seq);
  need_positive("head_dim", head_dim);
  const std::int64_t n = batch_heads * seq * head_dim;
  if (q.size() != to_size(n) || k.size() != q.size() || v.size() != q.size()) {
    fail("attention: q, k and v must be batch_heads x seq x head_dim");
  }
  DeviceBuffer<float> tmp(to_size(n));
  DeviceBuffer<__nv_bfloat16> dq(to_size(n)), dk(to_size(n)), dv(to_size(n)), dout(to_size(n));
  const std::vector<float>* host[] = {&q, &k, &v};
  __nv_bfloat16* dev[] = {dq.get(), dk.get(), dv.get()};
  for (int i = 0; i < 3; ++i) {
    tmp.upload(*host[i], g.stream);
    float_to_bf16(tmp.get(), dev[i], n, g.stream);
  }
  launch_attention(dq.get(), dk.get(), dv.get(), dout.get(), batch_heads, seq, head_dim,
                   g.info.max_shared_bytes_per_block, g.stream);
  bf16_to_float(dout.get(), tmp.get(), n, g.stream);
  return tmp.download(g.stream);
}

}  // namespace llmsim::calibration::cuda
