#pragma once
// Shared by the .cu files of llmsim_cuda_kernels (never included by host C++ code): error
// checks, device buffers, the runner's state and the kernel launchers of each .cu file.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include "costmodel/time/calibration/cuda/cuda_runner.hpp"

namespace llmsim::calibration::cuda {

// Throw CudaFailure "<call>: <error string> (<error name>)" unless the call succeeded.
void check(cudaError_t e, const char* call);
void check(cublasStatus_t s, const char* call);
#define LLMSIM_CUDA_CHECK(call) ::llmsim::calibration::cuda::check((call), #call)

// Throws CudaFailure "<what>: <detail>" for an argument a kernel cannot take.
[[noreturn]] void fail(const std::string& what);

inline std::size_t to_size(std::int64_t v) {
  return static_cast<std::size_t>(v);
}

// cudaMalloc'd storage of n elements, freed on destruction; move-only.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) : n_(n) {
    if (n > 0) LLMSIM_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
  }
  ~DeviceBuffer() {
    if (p_ != nullptr) cudaFree(p_);
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(o.n_) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return p_; }
  std::size_t size() const { return n_; }
  std::size_t bytes() const { return n_ * sizeof(T); }

  void upload(const std::vector<T>& host, cudaStream_t s) {
    if (host.size() != n_) fail("upload: size mismatch");
    LLMSIM_CUDA_CHECK(cudaMemcpyAsync(p_, host.data(), bytes(), cudaMemcpyHostToDevice, s));
    LLMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
  }
  std::vector<T> download(cudaStream_t s) const {
    std::vector<T> host(n_);
    LLMSIM_CUDA_CHECK(cudaMemcpyAsync(host.data(), p_, bytes(), cudaMemcpyDeviceToHost, s));
    LLMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
    return host;
  }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

struct CudaRunner::Impl {
  DeviceInfo info;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cublasLtHandle_t lt = nullptr;
  DeviceBuffer<unsigned char> workspace;  // cuBLASLt workspace
  DeviceBuffer<unsigned char> flush;      // written before each timed repetition
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();
};

// Launchers, all asynchronous on `s`; each checks its launch.
// elementwise_kernels.cu
void fill_uniform(float* x, std::int64_t n, std::uint32_t seed, cudaStream_t s);  // [-1, 1)
void float_to_bf16(const float* x, __nv_bfloat16* y, std::int64_t n, cudaStream_t s);
void bf16_to_float(const __nv_bfloat16* x, float* y, std::int64_t n, cudaStream_t s);
void launch_copy(const float* x, float* y, std::int64_t n, cudaStream_t s);
void launch_triad(float* a, const float* b, const float* c, std::int64_t n, cudaStream_t s);
void launch_rmsnorm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t cols,
                    cudaStream_t s);
void launch_swiglu(const float* gate, const float* up, float* y, std::int64_t n, cudaStream_t s);
void launch_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// 1 x 128 tiles; the scale of (row r, tile b) goes to scales[r * row_stride + b * tile_stride].
void launch_quantize_1x128(const float* x, std::int64_t rows, std::int64_t cols, __nv_fp8_e4m3* q,
                           float* scales, std::int64_t row_stride, std::int64_t tile_stride,
                           cudaStream_t s);
// 128 x 128 blocks; the scale of block (rb, cb) goes to scales[rb * ld + cb].
void launch_quantize_128x128(const float* x, std::int64_t rows, std::int64_t cols, __nv_fp8_e4m3* q,
                             float* scales, std::int64_t ld, cudaStream_t s);
// One scale for the whole tensor (written to *scale); amax: one unsigned of scratch.
void launch_quantize_tensor(const float* x, std::int64_t n, __nv_fp8_e4m3* q, float* scale,
                            unsigned* amax, cudaStream_t s);
void launch_empty(cudaStream_t s);
// attention_kernel.cu: q, k, v, o are batch_heads x seq x head_dim.
void launch_attention(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v,
                      __nv_bfloat16* o, std::int64_t batch_heads, std::int64_t seq,
                      std::int64_t head_dim, int max_shared_bytes, cudaStream_t s);

// gemm_kernels.cu: one GEMM, its operands on the device and its algorithm chosen.
class GemmPlan {
 public:
  GemmPlan(CudaRunner::Impl& g, GpuKernel kernel, std::int64_t m, std::int64_t n, std::int64_t k);
  ~GemmPlan();
  GemmPlan(const GemmPlan&) = delete;
  GemmPlan& operator=(const GemmPlan&) = delete;

  void randomize();  // random FP32 operands, converted to the kernel's types
  // a: m x k, bt: n x k (row-major FP32), converted to the kernel's types.
  void upload(const std::vector<float>& a, const std::vector<float>& bt);
  void run();                   // enqueues one GEMM
  std::vector<float> result();  // C, m x n
  const std::string& method() const { return method_; }

 private:
  void convert();
  void choose_lt_algorithm(bool fine_grained);
  void destroy_lt();

  CudaRunner::Impl& g_;
  GpuKernel kernel_;
  std::int64_t m_, n_, k_;
  bool fine_grained_ = false;
  std::string method_;
  DeviceBuffer<float> a32_, bt32_, c32_;
  DeviceBuffer<__nv_bfloat16> a16_, bt16_, c16_;
  DeviceBuffer<__nv_fp8_e4m3> a8_, bt8_;
  DeviceBuffer<float> a_scales_, bt_scales_;
  DeviceBuffer<unsigned> amax_;
  std::int64_t a_scale_ld_ = 0, bt_scale_ld_ = 0;
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t la_ = nullptr, lb_ = nullptr, lc_ = nullptr;
  cublasLtMatmulHeuristicResult_t algo_{};
};

}  // namespace llmsim::calibration::cuda
