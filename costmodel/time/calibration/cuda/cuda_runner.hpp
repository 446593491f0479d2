#pragma once
// CudaRunner: the GPU reference kernels of `llmsim calibrate --device cuda`, timed with CUDA
// events. This header is plain C++ (no CUDA header): costmodel's host code, compiled by the
// C++ compiler, includes it; the .cu files beside it implement it (library
// llmsim_cuda_kernels, built only with -DLLMSIM_CUDA=ON).
//
// Matrices are row-major. GEMMs compute C[m, n] = A[m, k] B[k, n] with B held transposed
// (n x k, K contiguous, as a linear layer's weight): the "TN" layout cuBLASLt requires of FP8.
//   gemm_fp32     cublasSgemm on FP32 CUDA cores (default math mode: no TF32)
//   gemm_bf16     cublasLtMatmul, BF16 in, FP32 accumulation, BF16 out
//   gemm_fp8      cublasLtMatmul, E4M3 in, FP32 accumulation, BF16 out, with DeepSeek-V3's
//                 fine-grained scales (activations 1 x 128: CUBLASLT_MATMUL_MATRIX_SCALE_
//                 VEC128_32F; weights 128 x 128: ..._BLK128x128_32F) where cuBLASLt's heuristic
//                 has an algorithm (cuBLAS >= 12.9 on Hopper), else one scale per tensor; the
//                 timing's `method` says which
//   copy, triad   y = x; a = b + 3 c (FP32)
//   rmsnorm, swiglu, softmax (row-wise), fp8_quantize (1 x 128 tiles, E4M3, one FP32 scale
//                 per tile): FP32 rows x cols, computing what cpu_kernels.cpp computes
//   attention_fwd causal, FlashAttention-style: one block per 64 queries, key tiles of 64 with
//                 an online softmax in shared memory; BF16 in and out, FP32 arithmetic on CUDA
//                 cores (no tensor cores); head dims 64 and 128
//   launch        an empty kernel
//
// Timing: inputs are set up once per call of time(); `warmup` untimed calls; then each
// repetition writes a buffer twice the L2's size (so that no operand starts in L2), records
// an event, runs the kernel, records another and waits for it. launch times batches of 256
// back-to-back launches (no flush) and reports the time per launch.
//
// Errors: every CUDA, cuBLAS or cuBLASLt failure throws CudaFailure with one line naming the
// call and the library's error string. Nothing here prints or exits.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace llmsim::calibration::cuda {

class CudaFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  int device_count = 0;  // cudaGetDeviceCount; the runner uses device 0
  std::string name;      // "NVIDIA H200"
  int sm_count = 0;
  int cc_major = 0;  // compute capability (9.0 for Hopper)
  int cc_minor = 0;
  double sm_clock_hz = 0.0;      // cudaDevAttrClockRate (kHz) x 1e3: the peak SM clock
  double memory_clock_hz = 0.0;  // cudaDevAttrMemoryClockRate (kHz) x 1e3
  int memory_bus_bits = 0;       // cudaDevAttrGlobalMemoryBusWidth
  std::int64_t l2_bytes = 0;
  std::int64_t global_memory_bytes = 0;
  int max_shared_bytes_per_block = 0;  // cudaDevAttrMaxSharedMemoryPerBlockOptin
  int runtime_version = 0;             // 13000 = CUDA 13.0
  int driver_version = 0;              // the CUDA version the driver supports, same encoding

  // Peak DRAM bandwidth from the attributes: two transfers per memory clock (DDR; HBM
  // reports its clock so that this holds) times the bus width in bytes. 0 if unknown.
  double dram_bytes_per_s() const {
    return 2.0 * memory_clock_hz * static_cast<double>(memory_bus_bits) / 8.0;
  }
};

enum class GpuKernel {
  kGemmFp32,
  kGemmBf16,
  kGemmFp8,
  kCopy,
  kTriad,
  kRmsNorm,
  kSwiGlu,
  kSoftmax,
  kFp8Quantize,
  kAttentionFwd,
  kLaunch,
};

// The sizes a kernel reads; the others are ignored.
struct GpuShape {
  std::int64_t m = 0;  // GEMMs (FP8: m and n multiples of 16, k of 128)
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t elements = 0;  // copy, triad: FP32 elements per array
  std::int64_t rows = 0;      // rmsnorm, swiglu, softmax, fp8_quantize
  std::int64_t cols = 0;
  std::int64_t batch_heads = 0;  // attention: batch x heads, causal self-attention
  std::int64_t seq = 0;
  std::int64_t head_dim = 0;
};

struct GpuTimingOptions {
  int warmup = 2;
  int min_reps = 5;
  int max_reps = 20;
  double target_seconds = 0.02;  // stop repeating once this much wall time was spent
};

struct GpuTiming {
  std::vector<double> seconds;  // one per repetition
  std::string method;           // what ran ("cuBLASLt BF16 GEMM (FP32 accumulation)", ...)
};

// Results of one call on given inputs, for tests against host references.
struct GemmResult {
  std::vector<float> c;  // m x n
  std::string method;
};
struct Fp8Tiles {
  std::vector<std::uint8_t> codes;  // rows x cols E4M3 codes
  std::vector<float> scales;        // rows x ceil(cols / 128), row-major
};

class CudaRunner {
 public:
  // Device 0, with cuBLAS and cuBLASLt handles. Throws CudaFailure ("cudaGetDeviceCount: ..."
  // or "no CUDA device") when no device is usable.
  CudaRunner();
  ~CudaRunner();
  CudaRunner(const CudaRunner&) = delete;
  CudaRunner& operator=(const CudaRunner&) = delete;

  const DeviceInfo& device() const;

  GpuTiming time(GpuKernel kernel, const GpuShape& shape, const GpuTimingOptions& options);

  // a: m x k; b: k x n (transposed on the host before upload). FP32 inputs are rounded to the
  // kernel's precision on the device (BF16; E4M3 with the method's scales).
  GemmResult gemm(GpuKernel kernel, std::int64_t m, std::int64_t n, std::int64_t k,
                  const std::vector<float>& a, const std::vector<float>& b);
  // copy: y = x (second input ignored); triad: a = b + 3 c.
  std::vector<float> stream(GpuKernel kernel, const std::vector<float>& x,
                            const std::vector<float>& y);
  // rmsnorm: x and weight (cols); swiglu: gate x and up; softmax: x (other ignored).
  std::vector<float> rows_cols(GpuKernel kernel, std::int64_t rows, std::int64_t cols,
                               const std::vector<float>& x, const std::vector<float>& other);
  Fp8Tiles quantize_fp8(std::int64_t rows, std::int64_t cols, const std::vector<float>& x);
  // q, k, v: batch_heads x seq x head_dim, rounded to BF16 on the device; returns O as float.
  std::vector<float> attention(std::int64_t batch_heads, std::int64_t seq, std::int64_t head_dim,
                               const std::vector<float>& q, const std::vector<float>& k,
                               const std::vector<float>& v);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmsim::calibration::cuda
