// GEMMs through cuBLAS and cuBLASLt: C[m, n] = A[m, k] B[k, n], row-major, B held as
// Bt (n x k). cuBLAS is column-major, so the call computes C^T (n x m, column-major, which is
// C row-major) = Bt^T-as-stored x A-as-stored: cuBLAS's A operand is our Bt (k x n column-major,
// ld k, transposed: "T") and its B operand our A (k x m column-major, ld k: "N"). That is the
// TN layout FP8 GEMMs require (cuBLAS docs, cublasLtMatmul: "A must be transposed and B
// non-transposed" for FP8).
//
// FP8 scales (cuBLASLt >= 12.9 on Hopper; cuBLAS docs, "Scaling factors layouts"):
//   our A (activations) is cuBLAS's B: VEC128_32F, one FP32 scale per row and 128 of K, the
//     row index contiguous (scale (row, kb) at kb * ld + row, ld = m rounded up to 4)
//   our Bt (weights) is cuBLAS's A: BLK128x128_32F, one FP32 scale per 128 x 128 block, the K
//     block index contiguous (scale (nb, kb) at nb * ld + kb, ld = ceil(k / 128) rounded up
//     to 4)
// The same layouts as PyTorch's torch._scaled_mm (ScalingType.BlockWise1x128 /
// BlockWise128x128). Where the heuristic returns no algorithm for them (older cuBLAS, other
// architectures) the GEMM falls back to one scale per tensor.

#include <string>

#include "costmodel/time/calibration/cuda/cuda_support.cuh"

namespace llmsim::calibration::cuda {

namespace {

std::int64_t round_up(std::int64_t v, std::int64_t to) {
  return (v + to - 1) / to * to;
}

template <typename T>
void set_desc(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, const T& value,
              const char* what) {
  check(cublasLtMatmulDescSetAttribute(d, a, &value, sizeof(value)), what);
}

}  // namespace

GemmPlan::GemmPlan(CudaRunner::Impl& g, GpuKernel kernel, std::int64_t m, std::int64_t n,
                   std::int64_t k)
    : g_(g), kernel_(kernel), m_(m), n_(n), k_(k) {
  if (m < 1 || n < 1 || k < 1 || m > 2147483647 || n > 2147483647 || k > 2147483647) {
    fail("GEMM: m, n and k must be between 1 and 2^31 - 1");
  }
  if (kernel == GpuKernel::kGemmFp8 && (m % 16 != 0 || n % 16 != 0 || k % 128 != 0)) {
    fail("gemm_fp8: m = " + std::to_string(m) + ", n = " + std::to_string(n) +
         ", k = " + std::to_string(k) +
         ": m and n must be multiples of 16 and k of 128 (cuBLASLt FP8, 128-wide scale blocks)");
  }
  a32_ = DeviceBuffer<float>(to_size(m * k));
  bt32_ = DeviceBuffer<float>(to_size(n * k));
  switch (kernel) {
    case GpuKernel::kGemmFp32:
      c32_ = DeviceBuffer<float>(to_size(m * n));
      method_ = "cuBLAS sgemm (FP32, no TF32)";
      break;
    case GpuKernel::kGemmBf16:
      a16_ = DeviceBuffer<__nv_bfloat16>(to_size(m * k));
      bt16_ = DeviceBuffer<__nv_bfloat16>(to_size(n * k));
      c16_ = DeviceBuffer<__nv_bfloat16>(to_size(m * n));
      choose_lt_algorithm(false);
      method_ = "cuBLASLt BF16 GEMM (FP32 accumulation, BF16 out)";
      break;
    case GpuKernel::kGemmFp8: {
      a8_ = DeviceBuffer<__nv_fp8_e4m3>(to_size(m * k));
      bt8_ = DeviceBuffer<__nv_fp8_e4m3>(to_size(n * k));
      c16_ = DeviceBuffer<__nv_bfloat16>(to_size(m * n));
      amax_ = DeviceBuffer<unsigned>(1);
      a_scale_ld_ = round_up(m, 4);
      bt_scale_ld_ = round_up(k / 128, 4);
      a_scales_ = DeviceBuffer<float>(to_size(a_scale_ld_ * (k / 128)));
      bt_scales_ = DeviceBuffer<float>(to_size(bt_scale_ld_ * ((n + 127) / 128)));
      LLMSIM_CUDA_CHECK(cudaMemsetAsync(a_scales_.get(), 0, a_scales_.bytes(), g_.stream));
      LLMSIM_CUDA_CHECK(cudaMemsetAsync(bt_scales_.get(), 0, bt_scales_.bytes(), g_.stream));
      try {
        choose_lt_algorithm(true);
        fine_grained_ = true;
      } catch (const CudaFailure&) {
        destroy_lt();
        choose_lt_algorithm(false);  // per-tensor scales; throws if that has none either
        fine_grained_ = false;
      }
      method_ = fine_grained_
                    ? "cuBLASLt FP8 E4M3 GEMM, fine-grained scales (1x128 activations "
                      "VEC128_32F, 128x128 weights BLK128x128_32F), BF16 out"
                    : "cuBLASLt FP8 E4M3 GEMM, per-tensor scales (no cuBLASLt algorithm for "
                      "1x128 / 128x128 block scales here), BF16 out";
      break;
    }
    default: fail("GemmPlan: not a GEMM kernel");
  }
}

GemmPlan::~GemmPlan() {
  destroy_lt();
}

void GemmPlan::destroy_lt() {
  if (desc_ != nullptr) cublasLtMatmulDescDestroy(desc_);
  if (la_ != nullptr) cublasLtMatrixLayoutDestroy(la_);
  if (lb_ != nullptr) cublasLtMatrixLayoutDestroy(lb_);
  if (lc_ != nullptr) cublasLtMatrixLayoutDestroy(lc_);
  desc_ = nullptr;
  la_ = lb_ = lc_ = nullptr;
}

void GemmPlan::choose_lt_algorithm(bool fine_grained) {
  const bool fp8 = kernel_ == GpuKernel::kGemmFp8;
  const cudaDataType_t in = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  check(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F),
        "cublasLtMatmulDescCreate");
  set_desc(desc_, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T, "TRANSA");
  set_desc(desc_, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N, "TRANSB");
  if (fp8) {
    // cuBLAS's A is our Bt (weights), its B our A (activations).
    set_desc(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
             static_cast<const void*>(bt_scales_.get()), "A_SCALE_POINTER");
    set_desc(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, static_cast<const void*>(a_scales_.get()),
             "B_SCALE_POINTER");
    if (fine_grained) {
#if CUBLAS_VERSION >= 120900
      const cublasLtMatmulMatrixScale_t a_mode = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
      const cublasLtMatmulMatrixScale_t b_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
      set_desc(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, a_mode, "A_SCALE_MODE");
      set_desc(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, b_mode, "B_SCALE_MODE");
#else
      fail("cuBLASLt before 12.9 has no 1x128 / 128x128 scale modes");
#endif
    }
  }
  check(cublasLtMatrixLayoutCreate(&la_, in, static_cast<std::uint64_t>(k_),
                                   static_cast<std::uint64_t>(n_), k_),
        "cublasLtMatrixLayoutCreate(A)");
  check(cublasLtMatrixLayoutCreate(&lb_, in, static_cast<std::uint64_t>(k_),
                                   static_cast<std::uint64_t>(m_), k_),
        "cublasLtMatrixLayoutCreate(B)");
  check(cublasLtMatrixLayoutCreate(&lc_, CUDA_R_16BF, static_cast<std::uint64_t>(n_),
                                   static_cast<std::uint64_t>(m_), n_),
        "cublasLtMatrixLayoutCreate(C)");
  cublasLtMatmulPreference_t pref = nullptr;
  check(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
  const std::uint64_t workspace = g_.workspace.bytes();
  cublasStatus_t st = cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof(workspace));
  int found = 0;
  if (st == CUBLAS_STATUS_SUCCESS) {
    st = cublasLtMatmulAlgoGetHeuristic(g_.lt, desc_, la_, lb_, lc_, lc_, pref, 1, &algo_, &found);
  }
  cublasLtMatmulPreferenceDestroy(pref);
  check(st, "cublasLtMatmulAlgoGetHeuristic");
  if (found == 0) {
    fail(std::string("cublasLtMatmulAlgoGetHeuristic: no algorithm for ") + (fp8 ? "FP8" : "BF16") +
         " m=" + std::to_string(m_) + " n=" + std::to_string(n_) + " k=" + std::to_string(k_));
  }
}

void GemmPlan::randomize() {
  fill_uniform(a32_.get(), m_ * k_, 101, g_.stream);
  fill_uniform(bt32_.get(), n_ * k_, 102, g_.stream);
  convert();
}

void GemmPlan::upload(const std::vector<float>& a, const std::vector<float>& bt) {
  a32_.upload(a, g_.stream);
  bt32_.upload(bt, g_.stream);
  convert();
}

void GemmPlan::convert() {
  switch (kernel_) {
    case GpuKernel::kGemmFp32: break;
    case GpuKernel::kGemmBf16:
      float_to_bf16(a32_.get(), a16_.get(), m_ * k_, g_.stream);
      float_to_bf16(bt32_.get(), bt16_.get(), n_ * k_, g_.stream);
      break;
    case GpuKernel::kGemmFp8:
      if (fine_grained_) {
        launch_quantize_1x128(a32_.get(), m_, k_, a8_.get(), a_scales_.get(), 1, a_scale_ld_,
                              g_.stream);
        launch_quantize_128x128(bt32_.get(), n_, k_, bt8_.get(), bt_scales_.get(), bt_scale_ld_,
                                g_.stream);
      } else {
        launch_quantize_tensor(a32_.get(), m_ * k_, a8_.get(), a_scales_.get(), amax_.get(),
                               g_.stream);
        launch_quantize_tensor(bt32_.get(), n_ * k_, bt8_.get(), bt_scales_.get(), amax_.get(),
                               g_.stream);
      }
      break;
    default: break;
  }
  LLMSIM_CUDA_CHECK(cudaStreamSynchronize(g_.stream));
}

void GemmPlan::run() {
  const float one = 1.0f, zero = 0.0f;
  if (kernel_ == GpuKernel::kGemmFp32) {
    const int m = static_cast<int>(m_), n = static_cast<int>(n_), k = static_cast<int>(k_);
    check(cublasSgemm(g_.blas, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, bt32_.get(), k, a32_.get(),
                      k, &zero, c32_.get(), n),
          "cublasSgemm");
    return;
  }
  const void* a = kernel_ == GpuKernel::kGemmFp8 ? static_cast<const void*>(bt8_.get())
                                                 : static_cast<const void*>(bt16_.get());
  const void* b = kernel_ == GpuKernel::kGemmFp8 ? static_cast<const void*>(a8_.get())
                                                 : static_cast<const void*>(a16_.get());
  check(cublasLtMatmul(g_.lt, desc_, &one, a, la_, b, lb_, &zero, c16_.get(), lc_, c16_.get(), lc_,
                       &algo_.algo, g_.workspace.get(), g_.workspace.bytes(), g_.stream),
        "cublasLtMatmul");
}

std::vector<float> GemmPlan::result() {
  LLMSIM_CUDA_CHECK(cudaStreamSynchronize(g_.stream));
  if (kernel_ == GpuKernel::kGemmFp32) return c32_.download(g_.stream);
  DeviceBuffer<float> c(to_size(m_ * n_));
  bf16_to_float(c16_.get(), c.get(), m_ * n_, g_.stream);
  return c.download(g_.stream);
}

}  // namespace llmsim::calibration::cuda
