#include "costmodel/time/calibration/cuda_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "costmodel/time/calibration/cpu_kernels.hpp"
#include "costmodel/time/calibration/cuda/cuda_runner.hpp"
#include "costmodel/time/calibration/fp8.hpp"

using namespace llmsim::calibration;
using cuda::CudaRunner;
using cuda::GpuKernel;

// These run only where a GPU is usable (cuda_test_main.cpp exits 77, "skipped", elsewhere).
// Each kernel is checked once on a small shape against a host computation of the same thing.

namespace {

std::vector<float> random_values(std::size_t n, std::uint32_t seed) {
  std::vector<float> v(n);
  std::uint32_t x = seed * 2654435761u + 1u;
  for (auto& e : v) {
    x = x * 1664525u + 1013904223u;
    e = static_cast<float>(x >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
  return v;
}

// ||got - want|| / ||want||.
double relative_error(const std::vector<float>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    num += (got[i] - want[i]) * (got[i] - want[i]);
    den += want[i] * want[i];
  }
  return std::sqrt(num / den);
}

Matrix matrix(std::int64_t rows, std::int64_t cols, const std::vector<float>& v) {
  Matrix m{rows, cols, std::vector<double>(v.begin(), v.end())};
  return m;
}

std::vector<float> as_floats(const Matrix& m) {
  return {m.v.begin(), m.v.end()};
}

}  // namespace

TEST_CASE("CudaRunner: FP32 and BF16 GEMMs match a host product", "[cuda]") {
  CudaRunner gpu;
  const std::int64_t m = 128, n = 192, k = 256;
  const auto a = random_values(m * k, 1), b = random_values(k * n, 2);
  const Matrix exact = gemm_fp64(matrix(m, k, a), matrix(k, n, b));

  const cuda::GemmResult f32 = gpu.gemm(GpuKernel::kGemmFp32, m, n, k, a, b);
  CHECK(relative_error(f32.c, exact.v) < 1e-5);

  // BF16: inputs rounded to BF16, FP32 accumulation, BF16 output (relative step 2^-8).
  std::vector<float> a16(a), b16(b);
  for (auto& x : a16) x = round_to_bf16(x);
  for (auto& x : b16) x = round_to_bf16(x);
  const Matrix rounded = gemm_fp64(matrix(m, k, a16), matrix(k, n, b16));
  const cuda::GemmResult bf16 = gpu.gemm(GpuKernel::kGemmBf16, m, n, k, a, b);
  INFO(bf16.method);
  CHECK(relative_error(bf16.c, rounded.v) < 5e-3);
}

TEST_CASE("CudaRunner: FP8 GEMM is the product of its quantized operands", "[cuda]") {
  CudaRunner gpu;
  const std::int64_t m = 128, n = 256, k = 512;
  // Activations with outlier channels (where fine-grained scales matter), weights N(0, 1/k).
  const auto a = as_floats(random_activations(m, k, 3));
  const auto b = as_floats(random_weights(k, n, 4));
  const cuda::GemmResult r = gpu.gemm(GpuKernel::kGemmFp8, m, n, k, a, b);
  const bool fine = r.method.find("fine-grained") != std::string::npos;
  WARN("gemm_fp8 on this GPU: " << r.method);
  // The same quantization on the host (1 x 128 activation tiles and 128 x 128 weight blocks,
  // or one scale per tensor), multiplied exactly: only accumulation and BF16 output differ.
  const QuantizedMatrix qa = quantize_e4m3(matrix(m, k, a), fine ? 1 : 0, fine ? 128 : 0);
  const QuantizedMatrix qb = quantize_e4m3(matrix(k, n, b), fine ? 128 : 0, fine ? 128 : 0);
  const Matrix reference = gemm_fp64(dequantize(qa), dequantize(qb));
  CHECK(relative_error(r.c, reference.v) < 1e-2);
  // Against the unquantized product: FP8's own error, a few percent at most. A wrong scale
  // layout would be far off.
  const Matrix exact = gemm_fp64(matrix(m, k, a), matrix(k, n, b));
  CHECK(relative_error(r.c, exact.v) < 0.1);
}

TEST_CASE("CudaRunner: copy and triad", "[cuda]") {
  CudaRunner gpu;
  const auto b = random_values(1001, 5), c = random_values(1001, 6);  // odd: the scalar tail
  CHECK(gpu.stream(GpuKernel::kCopy, b, {}) == b);
  const auto a = gpu.stream(GpuKernel::kTriad, b, c);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(a[i] == b[i] + 3.0f * c[i]);
}

TEST_CASE("CudaRunner: RMSNorm, SwiGLU and softmax compute what the CPU kernels compute",
          "[cuda]") {
  CudaRunner gpu;
  const std::int64_t rows = 7, cols = 1000;
  const auto x = random_values(rows * cols, 7), w = random_values(cols, 8),
             u = random_values(rows * cols, 9);
  std::vector<double> rms(x.size()), swiglu(x.size()), softmax(x.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    double ss = 0.0, mx = -1e30, sum = 0.0;
    for (std::int64_t j = 0; j < cols; ++j) {
      const double v = x[r * cols + j];
      ss += v * v;
      mx = std::max(mx, v);
    }
    const double inv = 1.0 / std::sqrt(ss / cols + 1e-6);
    for (std::int64_t j = 0; j < cols; ++j) sum += std::exp(x[r * cols + j] - mx);
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::size_t i = r * cols + j;
      rms[i] = x[i] * inv * w[j];
      swiglu[i] = x[i] / (1.0 + std::exp(-static_cast<double>(x[i]))) * u[i];
      softmax[i] = std::exp(x[i] - mx) / sum;
    }
  }
  CHECK(relative_error(gpu.rows_cols(GpuKernel::kRmsNorm, rows, cols, x, w), rms) < 1e-5);
  CHECK(relative_error(gpu.rows_cols(GpuKernel::kSwiGlu, rows, cols, x, u), swiglu) < 1e-5);
  CHECK(relative_error(gpu.rows_cols(GpuKernel::kSoftmax, rows, cols, x, {}), softmax) < 1e-5);
}

TEST_CASE("CudaRunner: FP8 quantize writes the CPU kernel's codes and scales", "[cuda]") {
  CudaRunner gpu;
  const std::int64_t rows = 5, cols = 300;  // a partial last tile
  auto x = random_values(rows * cols, 10);
  x[3] = 1e-5f;    // a subnormal code
  x[400] = 37.0f;  // an outlier tile
  const cuda::Fp8Tiles q = gpu.quantize_fp8(rows, cols, x);
  const std::int64_t tiles = (cols + 127) / 128;
  REQUIRE(q.scales.size() == static_cast<std::size_t>(rows * tiles));
  int mismatches = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t t = 0; t < tiles; ++t) {
      float amax = 0.0f;
      for (std::int64_t c = t * 128; c < std::min(cols, t * 128 + 128); ++c) {
        amax = std::max(amax, std::fabs(x[r * cols + c]));
      }
      const float scale = amax > 0.0f ? amax / 448.0f : 1.0f;
      CHECK(q.scales[r * tiles + t] == scale);
      const float inv = 1.0f / scale;
      for (std::int64_t c = t * 128; c < std::min(cols, t * 128 + 128); ++c) {
        if (q.codes[r * cols + c] != e4m3_encode(x[r * cols + c] * inv)) ++mismatches;
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("CudaRunner: causal attention matches a naive host computation", "[cuda]") {
  CudaRunner gpu;
  for (std::int64_t d : {64, 128}) {
    const std::int64_t bh = 3, seq = 200;  // 200: a partial last query and key tile
    INFO("head_dim " << d);
    auto q = random_values(bh * seq * d, 11), k = random_values(bh * seq * d, 12),
         v = random_values(bh * seq * d, 13);
    for (auto* t : {&q, &k, &v}) {
      for (auto& e : *t) e = round_to_bf16(2.0f * e);  // the kernel's BF16 inputs
    }
    const auto o = gpu.attention(bh, seq, d, q, k, v);
    std::vector<double> want(o.size());
    std::vector<double> p(seq);
    for (std::int64_t h = 0; h < bh; ++h) {
      for (std::int64_t i = 0; i < seq; ++i) {
        double mx = -1e300;
        for (std::int64_t j = 0; j <= i; ++j) {
          double s = 0.0;
          for (std::int64_t c = 0; c < d; ++c) {
            s += static_cast<double>(q[(h * seq + i) * d + c]) * k[(h * seq + j) * d + c];
          }
          p[j] = s / std::sqrt(static_cast<double>(d));
          mx = std::max(mx, p[j]);
        }
        double sum = 0.0;
        for (std::int64_t j = 0; j <= i; ++j) sum += (p[j] = std::exp(p[j] - mx));
        for (std::int64_t c = 0; c < d; ++c) {
          double acc = 0.0;
          for (std::int64_t j = 0; j <= i; ++j) acc += p[j] * v[(h * seq + j) * d + c];
          want[(h * seq + i) * d + c] = acc / sum;
        }
      }
    }
    CHECK(relative_error(o, want) < 1e-2);  // BF16 output
  }
}

TEST_CASE("CudaRunner: every kernel times with positive repetitions", "[cuda]") {
  CudaRunner gpu;
  const cuda::GpuTimingOptions opt{1, 3, 3, 0.0};
  cuda::GpuShape gemm;
  gemm.m = gemm.n = 256;
  gemm.k = 512;
  cuda::GpuShape stream;
  stream.elements = 1 << 20;
  cuda::GpuShape rc;
  rc.rows = 64;
  rc.cols = 4096;
  cuda::GpuShape attn;
  attn.batch_heads = 4;
  attn.seq = 512;
  attn.head_dim = 128;
  const std::vector<std::pair<GpuKernel, cuda::GpuShape>> cases = {
      {GpuKernel::kGemmFp32, gemm},     {GpuKernel::kGemmBf16, gemm}, {GpuKernel::kGemmFp8, gemm},
      {GpuKernel::kCopy, stream},       {GpuKernel::kTriad, stream},  {GpuKernel::kRmsNorm, rc},
      {GpuKernel::kSwiGlu, rc},         {GpuKernel::kSoftmax, rc},    {GpuKernel::kFp8Quantize, rc},
      {GpuKernel::kAttentionFwd, attn}, {GpuKernel::kLaunch, {}}};
  for (const auto& [kernel, shape] : cases) {
    const cuda::GpuTiming t = gpu.time(kernel, shape, opt);
    INFO(t.method);
    CHECK(t.seconds.size() == 3);
    for (double s : t.seconds) {
      CHECK(std::isfinite(s));
      CHECK(s > 0.0);
      CHECK(s < 1.0);
    }
  }
}

TEST_CASE("calibrate_cuda: the CI grid fits every CUDA class with finite holdout errors",
          "[cuda][calibration]") {
  CalibrationOptions o;
  o.grid = GridSize::kCi;
  o.date = "2000-01-01";
  o.reference_dir = std::string(LLMSIM_SOURCE_DIR) + "/scenarios/reference";
  const Profile p = calibrate_cuda(o);
  CHECK(p.name == "cuda-measured");
  CHECK(p.method == "measured");
  CHECK(p.device.find("SMs, CUDA ") != std::string::npos);
  bool comm_note = false;
  for (const auto& s : p.sources)
    comm_note = comm_note || s.find("all_reduce") != std::string::npos;
  CHECK(comm_note);
  REQUIRE(p.classes.size() == cuda_kernel_classes().size());
  for (const auto& c : p.classes) {
    INFO(kernel_class_name(c.kernel_class) << ": " << c.source);
    CHECK(c.is_fitted());
    CHECK(c.model.units > 0);
    CHECK(c.points.size() == cuda_grid(c.kernel_class, GridSize::kCi).size());
    REQUIRE(c.holdout_mape_pct.has_value());
    CHECK(std::isfinite(*c.holdout_mape_pct));
    for (const auto& pt : c.points) {
      CHECK(pt.measured_s > 0.0);
      CHECK(pt.predicted_s > 0.0);
    }
  }
  KernelShape small = gemm_shape(1024, 1024, 1024), large = gemm_shape(4096, 4096, 4096);
  CHECK(predict_seconds(p, KernelClass::kGemmBf16, large) >
        predict_seconds(p, KernelClass::kGemmBf16, small));
}
