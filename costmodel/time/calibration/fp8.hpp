#pragma once
// FP8 numerics in software: E4M3 and BF16 rounding, DeepSeek-V3's fine-grained quantization
// and the limited-precision accumulation of Hopper FP8 tensor cores.
//
// E4M3 (OCP FP8 "E4M3FN"): 4 exponent bits (bias 7), 3 mantissa bits, largest finite 448,
// smallest normal 2^-6, subnormal step 2^-9; rounding to nearest, ties to even; values beyond
// 448 saturate (scales are chosen so that none do).
// Fine-grained scaling (DeepSeek-V3 report section 3.3.1): activations get one scale per
// 1 x 128 tile (one row, 128 consecutive K), weights one per 128 x 128 block; each scale maps
// the block's absolute maximum to 448.
// Limited accumulation (section 3.3.2): Hopper's FP8 MMA keeps about 14 bits of the running
// sum; DeepSeek promotes partial sums to FP32 registers every N_C = 128 elements of K.
// Our model of the limited accumulator: one Hopper FP8 MMA instruction covers K = 32
// (PTX ISA, wgmma.mma_async shapes m64nNk32 for .e4m3/.e5m2); its 32 products are summed and
// added to the running sum, which is then truncated (rounded toward zero) to 14 significant
// bits. NVIDIA does not publish the exact alignment and rounding inside the MMA datapath;
// products within one instruction are summed exactly here, which is the optimistic side of
// that unknown (truncating after every single product instead is far worse).

#include <cstdint>
#include <string>
#include <vector>

namespace llmsim::calibration {

inline constexpr double kE4m3Max = 448.0;  // OCP FP8 spec, E4M3: S.1111.110 = 1.75 * 2^8

// Nearest E4M3 value (ties to even), saturating at +-448.
float round_to_e4m3(float x);
// Nearest BF16 value (ties to even): FP32 with the low 16 bits of the mantissa rounded off.
float round_to_bf16(float x);
// x rounded toward zero to `bits` significant bits (the leading one included).
double truncate_to_bits(double x, int bits);

// A row-major matrix of doubles (rows x cols).
struct Matrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> v;
  double& at(std::int64_t r, std::int64_t c) { return v[static_cast<std::size_t>(r * cols + c)]; }
  double at(std::int64_t r, std::int64_t c) const {
    return v[static_cast<std::size_t>(r * cols + c)];
  }
};

// Quantized operand: E4M3 values (held as doubles, exactly) and the scale of each block;
// value ~= q * scale. Blocks are block_rows x block_cols; scales are row-major over blocks.
struct QuantizedMatrix {
  Matrix q;
  std::int64_t block_rows = 0;
  std::int64_t block_cols = 0;
  std::vector<double> scales;
  double scale_at(std::int64_t r, std::int64_t c) const;
};

// Block sizes: (rows, cols) of a scaling block; a value of 0 means the whole dimension
// (per-tensor scaling is {0, 0}).
QuantizedMatrix quantize_e4m3(const Matrix& x, std::int64_t block_rows, std::int64_t block_cols);

// How the K sum of a quantized GEMM is accumulated.
struct Accumulation {
  int mantissa_bits = 0;          // significant bits kept by the tensor core (0: FP32 exact)
  std::int64_t promote_every = 0; // K elements between promotions to FP32 (0: never)
  std::int64_t mma_k = 32;        // products summed per MMA instruction before truncation
};

// C = dequant(A) dequant(B) with A (m x k) and B (k x n) quantized, accumulated as `acc`.
// Scales are applied where the hardware applies them: per-tensor scales once at the end;
// fine-grained scales at each promotion (DeepGEMM multiplies each promoted partial sum by
// its two scales). Throws UserError if fine-grained scales vary inside a promotion interval.
Matrix fp8_gemm(const QuantizedMatrix& a, const QuantizedMatrix& b, const Accumulation& acc);

// Reference product in FP64.
Matrix gemm_fp64(const Matrix& a, const Matrix& b);

// The exact values a quantized matrix stands for (q * scale), in FP64.
Matrix dequantize(const QuantizedMatrix& x);

struct ErrorStats {
  double relative_frobenius = 0.0;  // ||C - R||_F / ||R||_F
  double max_relative = 0.0;        // max over output elements of |C - R| / mean |R|
  // Accumulation alone: ||C - Q||_F / ||Q||_F, Q the exact FP64 product of the quantized
  // (dequantized) inputs. Filled by the experiment.
  double accumulation_relative = 0.0;
  double accumulation_max_relative = 0.0;  // max |C - Q| / mean |Q|
};
ErrorStats compare(const Matrix& c, const Matrix& reference);

// The fp8-error experiment: deterministic inputs (fixed seed), one row per configuration.
struct Fp8ErrorRow {
  std::string scaling;       // "per-tensor" or "fine-grained (1x128 act, 128x128 weight)"
  std::string accumulation;  // "FP32", "14-bit", "14-bit, promoted to FP32 every 128"
  ErrorStats error;
};
struct Fp8ErrorReport {
  std::int64_t m = 0, n = 0, k = 0;
  std::uint64_t seed = 0;
  int mantissa_bits = 14;
  std::int64_t promote_every = 128;
  std::string inputs;  // how the inputs were drawn
  std::vector<Fp8ErrorRow> rows;
};
Fp8ErrorReport run_fp8_error_experiment(std::int64_t m, std::int64_t n, std::int64_t k,
                                        std::uint64_t seed);

// Deterministic inputs: activations N(0,1) with every 32nd K channel scaled by 30 (outlier
// channels, as the V3 report's motivation for fine-grained scaling describes), weights
// N(0, 1/k). Box-Muller over std::mt19937_64, so the same on every platform.
Matrix random_activations(std::int64_t m, std::int64_t k, std::uint64_t seed);
Matrix random_weights(std::int64_t k, std::int64_t n, std::uint64_t seed);

}  // namespace llmsim::calibration
