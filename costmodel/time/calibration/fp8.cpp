#include "costmodel/time/calibration/fp8.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <random>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

float round_to_e4m3(float x) {
  if (std::isnan(x)) return x;
  const float a = std::fabs(x);
  if (a == 0.0f) return x;
  float r = 0.0f;
  if (a >= static_cast<float>(kE4m3Max)) {
    r = static_cast<float>(kE4m3Max);
  } else {
    int e = 0;
    std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1): the leading bit has weight 2^(e-1)
    // Spacing of E4M3 values: 2^(e-1-3) for normals (3 mantissa bits), 2^-9 below 2^-6.
    const int exp_lead = std::max(e - 1, -6);
    const float quantum = std::ldexp(1.0f, exp_lead - 3);
    r = std::nearbyint(a / quantum) * quantum;  // default rounding mode: ties to even
    r = std::min(r, static_cast<float>(kE4m3Max));
  }
  return std::signbit(x) ? -r : r;
}

float round_to_bf16(float x) {
  if (std::isnan(x)) return x;
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb;  // round to nearest, ties to even, on the upper 16 bits
  u &= 0xffff0000u;
  return std::bit_cast<float>(u);
}

double truncate_to_bits(double x, int bits) {
  if (x == 0.0 || !std::isfinite(x)) return x;
  int e = 0;
  const double f = std::frexp(x, &e);  // |f| in [0.5, 1)
  return std::ldexp(std::trunc(std::ldexp(f, bits)), e - bits);
}

double QuantizedMatrix::scale_at(std::int64_t r, std::int64_t c) const {
  const std::int64_t bc = block_cols > 0 ? block_cols : q.cols;
  const std::int64_t br = block_rows > 0 ? block_rows : q.rows;
  const std::int64_t blocks_per_row = (q.cols + bc - 1) / bc;
  return scales[static_cast<std::size_t>((r / br) * blocks_per_row + c / bc)];
}

QuantizedMatrix quantize_e4m3(const Matrix& x, std::int64_t block_rows, std::int64_t block_cols) {
  QuantizedMatrix out;
  out.q = x;
  out.block_rows = block_rows;
  out.block_cols = block_cols;
  const std::int64_t br = block_rows > 0 ? block_rows : x.rows;
  const std::int64_t bc = block_cols > 0 ? block_cols : x.cols;
  for (std::int64_t r0 = 0; r0 < x.rows; r0 += br) {
    for (std::int64_t c0 = 0; c0 < x.cols; c0 += bc) {
      double amax = 0.0;
      for (std::int64_t r = r0; r < std::min(r0 + br, x.rows); ++r) {
        for (std::int64_t c = c0; c < std::min(c0 + bc, x.cols); ++c) {
          amax = std::max(amax, std::fabs(x.at(r, c)));
        }
      }
      // Scales are FP32 in DeepGEMM; an all-zero block keeps scale 1.
      const double scale = amax > 0.0 ? static_cast<float>(amax / kE4m3Max) : 1.0;
      out.scales.push_back(scale);
      for (std::int64_t r = r0; r < std::min(r0 + br, x.rows); ++r) {
        for (std::int64_t c = c0; c < std::min(c0 + bc, x.cols); ++c) {
          out.q.at(r, c) = round_to_e4m3(static_cast<float>(x.at(r, c) / scale));
        }
      }
    }
  }
  return out;
}

Matrix fp8_gemm(const QuantizedMatrix& a, const QuantizedMatrix& b, const Accumulation& acc) {
  LLMSIM_CHECK(a.q.cols == b.q.rows, "fp8_gemm: inner dimensions differ");
  const std::int64_t m = a.q.rows, n = b.q.cols, k = a.q.cols;
  const std::int64_t chunk = acc.promote_every > 0 ? acc.promote_every : k;
  // Scales must be constant inside a chunk: they are applied once per chunk.
  const std::int64_t a_bc = a.block_cols > 0 ? a.block_cols : k;
  const std::int64_t b_br = b.block_rows > 0 ? b.block_rows : k;
  if ((a_bc < k && a_bc % chunk != 0) || (b_br < k && b_br % chunk != 0) ||
      (chunk > a_bc && a_bc < k) || (chunk > b_br && b_br < k)) {
    throw UserError(fmt::format("fp8 GEMM: scaling blocks of {} (activations) and {} (weights) "
                                "along K vary inside an accumulation interval of {}; promote "
                                "at least every {} elements",
                                a_bc, b_br, chunk, std::min(a_bc, b_br)));
  }
  Matrix c{m, n, std::vector<double>(static_cast<std::size_t>(m * n), 0.0)};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      float total = 0.0f;  // FP32 registers (CUDA cores)
      for (std::int64_t k0 = 0; k0 < k; k0 += chunk) {
        double partial = 0.0;
        float partial_fp32 = 0.0f;
        double group = 0.0;
        const std::int64_t k1 = std::min(k0 + chunk, k);
        for (std::int64_t kk = k0; kk < k1; ++kk) {
          const double prod = a.q.at(i, kk) * b.q.at(kk, j);  // exact: 4 x 4 significant bits
          if (acc.mantissa_bits > 0) {
            group += prod;  // exact in FP64: at most 32 products of 8 significant bits
            if ((kk - k0 + 1) % std::max<std::int64_t>(1, acc.mma_k) == 0 || kk + 1 == k1) {
              partial = truncate_to_bits(partial + group, acc.mantissa_bits);
              group = 0.0;
            }
          } else {
            partial_fp32 += static_cast<float>(prod);
          }
        }
        if (acc.mantissa_bits == 0) partial = partial_fp32;
        const double s = a.scale_at(i, k0) * b.scale_at(k0, j);
        total += static_cast<float>(partial * s);
      }
      c.at(i, j) = total;
    }
  }
  return c;
}

Matrix dequantize(const QuantizedMatrix& x) {
  Matrix d = x.q;
  for (std::int64_t r = 0; r < d.rows; ++r) {
    for (std::int64_t c = 0; c < d.cols; ++c) d.at(r, c) = x.q.at(r, c) * x.scale_at(r, c);
  }
  return d;
}

Matrix gemm_fp64(const Matrix& a, const Matrix& b) {
  LLMSIM_CHECK(a.cols == b.rows, "gemm_fp64: inner dimensions differ");
  Matrix c{a.rows, b.cols, std::vector<double>(static_cast<std::size_t>(a.rows * b.cols), 0.0)};
  for (std::int64_t i = 0; i < a.rows; ++i) {
    for (std::int64_t kk = 0; kk < a.cols; ++kk) {
      const double x = a.at(i, kk);
      for (std::int64_t j = 0; j < b.cols; ++j) c.at(i, j) += x * b.at(kk, j);
    }
  }
  return c;
}

ErrorStats compare(const Matrix& c, const Matrix& reference) {
  LLMSIM_CHECK(c.v.size() == reference.v.size() && !c.v.empty(), "compare: sizes differ");
  double num = 0.0, den = 0.0, mean_abs = 0.0, max_abs_err = 0.0;
  for (std::size_t i = 0; i < c.v.size(); ++i) {
    const double d = c.v[i] - reference.v[i];
    num += d * d;
    den += reference.v[i] * reference.v[i];
    mean_abs += std::fabs(reference.v[i]);
    max_abs_err = std::max(max_abs_err, std::fabs(d));
  }
  mean_abs /= static_cast<double>(c.v.size());
  ErrorStats e;
  e.relative_frobenius = std::sqrt(num / den);
  e.max_relative = max_abs_err / mean_abs;
  return e;
}

namespace {

// Standard normal deviates by Box-Muller over 53-bit uniforms: the same sequence everywhere.
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : rng_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;          // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace

Matrix random_activations(std::int64_t m, std::int64_t k, std::uint64_t seed) {
  Normal g(seed);
  Matrix a{m, k, std::vector<double>(static_cast<std::size_t>(m * k))};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < k; ++j) a.at(i, j) = g.next() * (j % 32 == 7 ? 30.0 : 1.0);
  }
  return a;
}

Matrix random_weights(std::int64_t k, std::int64_t n, std::uint64_t seed) {
  Normal g(seed ^ 0x9e3779b97f4a7c15ull);
  Matrix b{k, n, std::vector<double>(static_cast<std::size_t>(k * n))};
  const double sd = 1.0 / std::sqrt(static_cast<double>(k));
  for (auto& x : b.v) x = g.next() * sd;
  return b;
}

Fp8ErrorReport run_fp8_error_experiment(std::int64_t m, std::int64_t n, std::int64_t k,
                                        std::uint64_t seed) {
  if (m < 1 || n < 1 || k < 1 || m * n * k > (std::int64_t{1} << 31)) {
    throw UserError(fmt::format("fp8-error: m = {}, n = {}, k = {}: each must be at least 1 and "
                                "m n k at most 2^31",
                                m, n, k));
  }
  Fp8ErrorReport rep;
  rep.m = m;
  rep.n = n;
  rep.k = k;
  rep.seed = seed;
  rep.inputs = "activations N(0,1) with every 32nd K channel x30 (outlier channels); weights "
               "N(0, 1/k); fixed seed";
  const Matrix a = random_activations(m, k, seed);
  const Matrix b = random_weights(k, n, seed);
  const Matrix ref = gemm_fp64(a, b);
  const QuantizedMatrix a_tensor = quantize_e4m3(a, 0, 0);
  const QuantizedMatrix b_tensor = quantize_e4m3(b, 0, 0);
  const QuantizedMatrix a_fine = quantize_e4m3(a, 1, 128);
  const QuantizedMatrix b_fine = quantize_e4m3(b, 128, 128);
  const std::string tensor = "per-tensor";
  const std::string fine = "fine-grained (1x128 act., 128x128 wt.)";
  const std::string limited = fmt::format("{}-bit, whole K", rep.mantissa_bits);
  const std::string promoted =
      fmt::format("{}-bit, FP32 every {}", rep.mantissa_bits, rep.promote_every);
  const Matrix exact_tensor = gemm_fp64(dequantize(a_tensor), dequantize(b_tensor));
  const Matrix exact_fine = gemm_fp64(dequantize(a_fine), dequantize(b_fine));
  auto run = [&](const std::string& s, const std::string& acc_name, const QuantizedMatrix& qa,
                 const QuantizedMatrix& qb, Accumulation acc) {
    const Matrix c = fp8_gemm(qa, qb, acc);
    ErrorStats e = compare(c, ref);
    const ErrorStats acc_only = compare(c, &qa == &a_tensor ? exact_tensor : exact_fine);
    e.accumulation_relative = acc_only.relative_frobenius;
    e.accumulation_max_relative = acc_only.max_relative;
    rep.rows.push_back(Fp8ErrorRow{s, acc_name, e});
  };
  run(tensor, "FP32", a_tensor, b_tensor, Accumulation{0, 0, 32});
  run(fine, "FP32", a_fine, b_fine, Accumulation{0, 128, 32});
  run(tensor, limited, a_tensor, b_tensor, Accumulation{rep.mantissa_bits, 0, 32});
  run(tensor, promoted, a_tensor, b_tensor, Accumulation{rep.mantissa_bits, rep.promote_every, 32});
  run(fine, promoted, a_fine, b_fine, Accumulation{rep.mantissa_bits, rep.promote_every, 32});
  return rep;
}

}  // namespace llmsim::calibration
