#include <catch2/catch.hpp>

#include <cmath>

#include "costmodel/time/calibration/cpu_kernels.hpp"
#include "costmodel/time/calibration/fp8.hpp"

using namespace llmsim::calibration;

TEST_CASE("round_to_e4m3: nearest value, ties to even, saturating at 448", "[fp8]") {
  CHECK(round_to_e4m3(1.0f) == 1.0f);
  CHECK(round_to_e4m3(1.0625f) == 1.0f);    // halfway 1 and 1.125: even mantissa 000
  CHECK(round_to_e4m3(1.1875f) == 1.25f);   // halfway 1.125 (001) and 1.25 (010): 010
  CHECK(round_to_e4m3(-3.3f) == -3.25f);    // spacing 0.25 in [2, 4)
  CHECK(round_to_e4m3(447.0f) == 448.0f);   // spacing 32 in [256, 448]
  CHECK(round_to_e4m3(1e6f) == 448.0f);
  CHECK(round_to_e4m3(std::ldexp(1.0f, -10)) == 0.0f);  // half the 2^-9 subnormal step: even
  CHECK(round_to_e4m3(3.0f * std::ldexp(1.0f, -10)) == std::ldexp(1.0f, -8));  // 1.5 steps -> 2
}

TEST_CASE("round_to_bf16 and truncate_to_bits: by hand", "[fp8]") {
  // BF16 keeps 7 fraction bits: the spacing at 1 is 2^-7.
  CHECK(round_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 1.0f);                    // tie: even
  CHECK(round_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 1.0f + std::ldexp(1.0f, -6));
  CHECK(truncate_to_bits(1.999, 4) == 1.875);    // 1.1111...b -> 1.111b
  CHECK(truncate_to_bits(-1.999, 4) == -1.875);  // toward zero
}

TEST_CASE("e4m3_encode: the quantize kernel's bit-level rounding agrees with round_to_e4m3", "[fp8]") {
  for (int i = -20000; i <= 20000; ++i) {
    const float x = static_cast<float>(i) * 0.0223f;  // covers subnormals up to 446
    INFO("x = " << x);
    REQUIRE(e4m3_decode(e4m3_encode(x)) == round_to_e4m3(x));
  }
  CHECK(e4m3_decode(e4m3_encode(460.0f)) == 448.0f);
}

TEST_CASE("e4m3_encode: every code, every tie between neighbours and the floats around it",
          "[fp8]") {
  // Ties go to the even code (the one whose last mantissa bit is 0); a float one ulp either
  // side of a tie goes to the nearer code. Both signs, subnormals to 448.
  for (int c = 0; c < 0x7e; ++c) {
    const float lo = e4m3_decode(static_cast<std::uint8_t>(c));
    const float hi = e4m3_decode(static_cast<std::uint8_t>(c + 1));
    const float mid = 0.5f * (lo + hi);  // exact: neighbours differ in their last bits only
    const std::uint8_t even = static_cast<std::uint8_t>(c % 2 == 0 ? c : c + 1);
    INFO("code " << c << ", tie " << mid);
    for (float s : {1.0f, -1.0f}) {
      const auto sign = static_cast<std::uint8_t>(s < 0.0f ? 0x80 : 0);
      CHECK(e4m3_encode(s * lo) == (sign | c));
      CHECK(e4m3_encode(s * mid) == (sign | even));
      CHECK(e4m3_encode(s * std::nextafter(mid, 0.0f)) == (sign | c));
      CHECK(e4m3_encode(s * std::nextafter(mid, 1000.0f)) == (sign | (c + 1)));
    }
  }
  CHECK(e4m3_encode(448.0f) == 0x7e);
  CHECK(e4m3_encode(464.0f) == 0x7e);   // the tie past 448 saturates rather than round up
  CHECK(e4m3_encode(-1e30f) == 0xfe);
  CHECK(e4m3_encode(0.0f) == 0x00);
}

TEST_CASE("quantize_e4m3: fine-grained blocks keep small blocks precise", "[fp8]") {
  // Row 0: a block of 1.0s and a block with an outlier of 1000. Per-tensor scaling maps 1000
  // to 448 (scale 1000/448), so 1.0 becomes 1.0 * 448 / 1000 = 0.448 -> E4M3 0.4375 and comes
  // back as 0.4375 * 1000 / 448 = 0.9766; a 1x128 tile of its own keeps 1.0 exact.
  Matrix x{1, 256, std::vector<double>(256, 1.0)};
  x.at(0, 200) = 1000.0;
  const Matrix tensor = dequantize(quantize_e4m3(x, 0, 0));
  const Matrix fine = dequantize(quantize_e4m3(x, 1, 128));
  CHECK(tensor.at(0, 0) == Approx(0.4375 * 1000.0 / 448.0));
  CHECK(fine.at(0, 0) == Approx(1.0));
}

TEST_CASE("fp8 experiment: fine-grained scaling and promotion every 128 both reduce error", "[fp8]") {
  const Fp8ErrorReport r = run_fp8_error_experiment(16, 16, 4096, 7);
  REQUIRE(r.rows.size() == 5);
  const ErrorStats tensor_promoted = r.rows[3].error;
  const ErrorStats fine_promoted = r.rows[4].error;
  const ErrorStats tensor_limited = r.rows[2].error;
  CHECK(fine_promoted.relative_frobenius < tensor_promoted.relative_frobenius);
  CHECK(tensor_promoted.accumulation_relative * 5 < tensor_limited.accumulation_relative);
  // FP32 accumulation adds (almost) nothing to the quantization error.
  CHECK(r.rows[0].error.accumulation_relative < 1e-5);
}

TEST_CASE("fp8_gemm: fine-grained scales need a promotion inside each scale block", "[fp8]") {
  Matrix a{2, 256, std::vector<double>(512, 1.0)};
  Matrix b{256, 2, std::vector<double>(512, 1.0)};
  CHECK_THROWS_WITH(fp8_gemm(quantize_e4m3(a, 1, 128), quantize_e4m3(b, 128, 128),
                             Accumulation{14, 0, 32}),
                    Catch::Contains("promote at least every 128"));
}
