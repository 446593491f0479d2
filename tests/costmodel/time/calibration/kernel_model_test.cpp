#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/kernel_model.hpp"

using namespace llmsim::calibration;

namespace {

KernelModel h800_like() {
  KernelModel m;
  m.peak_flops_per_s = 1000e12;
  m.peak_bytes_per_s = 3e12;
  m.units = 132;
  m.tile = TileShape{128, 128, TilePolicy::kFixed};
  return m;
}

KernelShape gemm(std::int64_t m, std::int64_t n, std::int64_t k) { return gemm_shape(m, n, k); }

}  // namespace

TEST_CASE("KernelModel: one tile more than the SMs costs a second wave", "[calibration]") {
  KernelModel m = h800_like();
  // 132 tiles of 128 x 128 (m = 128 * 12, n = 128 * 11) fill one wave; 133 tiles need two.
  // Compute only (no bytes term, no overhead): a wave is 2*128*128*k / (1e15 / 132) seconds.
  m.peak_bytes_per_s = 1e30;
  const double one = predict_work_seconds(m, work_of(KernelClass::kGemmFp32, gemm(1536, 1408, 4096), m.tile, m.units));
  const double two = predict_work_seconds(m, work_of(KernelClass::kGemmFp32, gemm(1536, 1409, 4096), m.tile, m.units));
  const double wave = 2.0 * 128 * 128 * 4096 / (1000e12 / 132);
  CHECK(one == Approx(wave).epsilon(1e-6));
  CHECK(two == Approx(2 * wave).epsilon(1e-6));
}

TEST_CASE("KernelModel: exponent 1 adds compute and memory, a large one takes the max", "[calibration]") {
  KernelModel m;
  m.peak_flops_per_s = 1e12;
  m.peak_bytes_per_s = 1e9;
  KernelWork w;
  w.flops = 3e6;  // 3 us of compute
  w.bytes = 4e3;  // 4 us of memory
  w.tiles = 1;
  m.combine_exponent = 1.0;
  CHECK(predict_work_seconds(m, w) == Approx(7e-6));
  m.combine_exponent = 2.0;  // sqrt(9 + 16) = 5
  CHECK(predict_work_seconds(m, w) == Approx(5e-6));
  m.combine_exponent = 200.0;
  CHECK(predict_work_seconds(m, w) == Approx(4e-6).epsilon(1e-3));
  m.overhead_s = 1e-6;
  CHECK(predict_work_seconds(m, w) == Approx(5e-6).epsilon(1e-3));
}

TEST_CASE("KernelModel: the wave-optimal tile fills the SMs as DeepGEMM does", "[calibration]") {
  // m = 64, n = 2112 on 132 SMs: block_m 64, and block_n 16 gives 2112 / 16 = 132 tiles,
  // exactly one full wave, which no larger block_n matches (24 -> 88 tiles, last wave 88).
  const TileShape t = gemm_tile(64, 2112, 1, TileShape{128, 128, TilePolicy::kWaveOptimal}, 132);
  CHECK(t.m == 64);
  CHECK(t.n == 16);
  // m = 4096, n = 7168: 32 row blocks; block_n 128 -> 56 x 32 = 1792 tiles = 13.6 waves (14);
  // no block_n from 16 to 128 needs fewer than 14 waves, and 128 has the fullest last wave.
  const TileShape big = gemm_tile(4096, 7168, 1, TileShape{128, 128, TilePolicy::kWaveOptimal}, 132);
  CHECK(big.m == 128);
  CHECK(big.n == 128);
}

TEST_CASE("KernelModel: a thin tile's k-loop runs no faster than the iteration floor", "[calibration]") {
  KernelModel m = h800_like();
  m.peak_bytes_per_s = 1e30;  // compute only
  m.tile = TileShape{128, 128, TilePolicy::kWaveOptimal};
  m.iteration_floor_s = 100e-9;
  // m = 64, n = 2112, k = 7168: one wave of 64 x 16 tiles, 56 k-blocks of 128. A k-block is
  // 2*64*16*128 = 262,144 FLOPs = 34.6 ns at 1e15/132 FLOP/s per SM, under the 100 ns floor:
  // the wave takes 56 x 100 ns.
  const KernelWork thin = work_of(KernelClass::kGemmFp8, gemm(64, 2112, 7168), m.tile, m.units);
  CHECK(thin.k_blocks == 56.0);
  CHECK(predict_work_seconds(m, thin) == Approx(56 * 100e-9).epsilon(1e-9));
  // m = 4096, n = 7168, k = 2048: 14 waves of 128 x 128 tiles, 16 k-blocks each of
  // 2*128*128*128 = 4.19 MFLOP = 554 ns per SM, above the floor: the floor does not apply.
  const KernelWork thick = work_of(KernelClass::kGemmFp8, gemm(4096, 7168, 2048), m.tile, m.units);
  const double kblock = 2.0 * 128 * 128 * 128 / (1000e12 / 132);
  CHECK(predict_work_seconds(m, thick) == Approx(14 * 16 * kblock).epsilon(1e-9));
  // The wave overhead adds per wave, outside the p-norm.
  m.wave_overhead_s = 1e-6;
  CHECK(predict_work_seconds(m, thick) == Approx(14 * 16 * kblock + 14e-6).epsilon(1e-9));
}

TEST_CASE("KernelModel: wave-optimal GEMMs with m >= 1024 multicast the A panel", "[calibration]") {
  const TileShape policy{128, 128, TilePolicy::kWaveOptimal};
  // m = 4096, n = 7168: block 128 x 128, 7168 = 28 x 256: two SMs share each A panel, so a
  // tile loads 128 / 2 + 128 rows of k FP8 bytes.
  const KernelWork w = work_of(KernelClass::kGemmFp8, gemm(4096, 7168, 2048), policy, 132);
  CHECK(w.tile_bytes == Approx((64.0 + 128.0) * 2048));
  // FP8 operands to dequantize (priced only where a profile has an elementwise rate): A and B.
  CHECK(w.elementwise == Approx(4096.0 * 2048 + 7168.0 * 2048));
  // m = 128 is below DeepGEMM's threshold: each tile loads its whole A panel.
  const KernelWork small = work_of(KernelClass::kGemmFp8, gemm(128, 7168, 2048), policy, 132);
  const TileShape t = gemm_tile(128, 7168, 1, policy, 132);
  CHECK(small.tile_bytes == Approx(static_cast<double>(t.m + t.n) * 2048));
  // Fixed tiles (cuBLAS, CPU) never multicast.
  const KernelWork fixed = work_of(KernelClass::kGemmFp8, gemm(4096, 7168, 2048),
                                   TileShape{128, 128, TilePolicy::kFixed}, 132);
  CHECK(fixed.tile_bytes == Approx(256.0 * 2048));
}

TEST_CASE("KernelModel: split-K spreads a few-tile GEMM's k-loop over idle SMs", "[calibration]") {
  const TileShape wave{128, 128, TilePolicy::kWaveOptimal};
  const TileShape split{128, 128, TilePolicy::kWaveOptimalSplitK};
  // 256 x 256: the wave-optimal block is 128 x 16 (32 tiles, one wave of 132 SMs); split-K
  // cuts each tile's 32 k-blocks in floor(132 / 32) = 4 pieces of 8, and writes and reads
  // the FP32 partial sums once (8 bytes x m x n x 4).
  const KernelWork w = work_of(KernelClass::kGemmBf16, gemm(256, 256, 4096), wave, 132);
  const KernelWork s = work_of(KernelClass::kGemmBf16, gemm(256, 256, 4096), split, 132);
  REQUIRE(w.tiles == Approx(32.0));
  CHECK(s.tiles == Approx(128.0));
  CHECK(s.k_blocks == Approx(8.0));
  CHECK(s.tile_flops == Approx(w.tile_flops / 4.0));
  CHECK(s.tile_bytes == Approx(w.tile_bytes / 4.0));
  CHECK(s.bytes == Approx(w.bytes + 8.0 * 256 * 256 * 4));
  CHECK(s.flops == Approx(w.flops));
  // No more pieces than k-blocks: 256 x 256 x 256 has 2.
  CHECK(work_of(KernelClass::kGemmBf16, gemm(256, 256, 256), split, 132).k_blocks == Approx(1.0));
  // Enough tiles to fill the SMs: no split, the same work as wave_optimal.
  const KernelWork big_w = work_of(KernelClass::kGemmBf16, gemm(4096, 7168, 2048), wave, 132);
  const KernelWork big_s = work_of(KernelClass::kGemmBf16, gemm(4096, 7168, 2048), split, 132);
  CHECK(big_s.tiles == big_w.tiles);
  CHECK(big_s.bytes == big_w.bytes);
  CHECK(big_s.tile_bytes == big_w.tile_bytes);
}

TEST_CASE("KernelFitter: recovers known parameters from synthetic measurements", "[calibration]") {
  KernelModel truth = h800_like();
  truth.compute_efficiency = 0.72;
  truth.memory_efficiency = 0.81;
  truth.combine_exponent = 2.5;
  truth.overhead_s = 4e-6;
  std::vector<Measurement> points;
  int i = 0;
  for (std::int64_t m : {64, 256, 1024, 4096}) {
    for (std::int64_t n : {1024, 4096, 16384}) {
      for (std::int64_t k : {512, 2048, 7168}) {
        Measurement p;
        p.shape = gemm(m, n, k);
        // +-0.5% deterministic "noise", alternating in sign.
        const double noise = 1.0 + ((i++ % 2) ? 0.005 : -0.005);
        p.seconds = noise * predict_work_seconds(
                                truth, work_of(KernelClass::kGemmFp8, p.shape, truth.tile, truth.units));
        points.push_back(p);
      }
    }
  }
  KernelModel start = h800_like();
  start.compute_efficiency = 0.4;
  start.memory_efficiency = 0.4;
  start.combine_exponent = 1.5;
  start.overhead_s = 1e-5;
  FreeParameters free;
  free.compute_efficiency = free.memory_efficiency = free.combine_exponent = free.overhead = true;
  const FitResult fit = fit_kernel_model(KernelClass::kGemmFp8, points, start, free);
  CHECK(fit.model.compute_efficiency == Approx(0.72).epsilon(0.02));
  CHECK(fit.model.memory_efficiency == Approx(0.81).epsilon(0.02));
  CHECK(fit.model.combine_exponent == Approx(2.5).epsilon(0.1));
  CHECK(fit.model.overhead_s == Approx(4e-6).epsilon(0.1));
  CHECK(fit.train_mape_pct < 1.0);
}

TEST_CASE("KernelFitter: fewer points than free parameters is an error", "[calibration]") {
  FreeParameters free;
  free.compute_efficiency = free.memory_efficiency = true;
  Measurement p;
  p.shape = gemm(64, 64, 64);
  p.seconds = 1e-6;
  CHECK_THROWS_WITH(fit_kernel_model(KernelClass::kGemmFp32, {p}, h800_like(), free),
                    Catch::Contains("1 points cannot fit 2 free parameters"));
}

TEST_CASE("split_holdout: every 4th point from the 2nd is held out, in order", "[calibration]") {
  std::vector<Measurement> points(9);
  for (std::size_t i = 0; i < points.size(); ++i) points[i].seconds = static_cast<double>(i);
  const Split s = split_holdout(points, 4);
  // Indices 1 and 5 are held out (i % 4 == 1); the other 7 train.
  REQUIRE(s.holdout.size() == 2);
  CHECK(s.holdout[0].seconds == 1.0);
  CHECK(s.holdout[1].seconds == 5.0);
  CHECK(s.train.size() == 7);
}

TEST_CASE("work_of: invalid shapes name the class and field", "[calibration]") {
  KernelShape s = gemm(64, 0, 64);
  CHECK_THROWS_WITH(work_of(KernelClass::kGemmFp8, s, TileShape{}, 1),
                    Catch::Contains("gemm_fp8: shape.n = 0"));
  KernelShape a;
  a.batch = 1;
  a.heads = 1;
  a.seq_q = 128;
  a.seq_kv = 256;
  a.head_dim_qk = a.head_dim_v = 64;
  CHECK_THROWS_WITH(work_of(KernelClass::kAttentionFwd, a, TileShape{}, 1),
                    Catch::Contains("causal attention needs seq_q = seq_kv"));
}

TEST_CASE("work_of: causal attention counts half the pairs, the backward 2.5x", "[calibration]") {
  KernelShape a;
  a.batch = 2;
  a.heads = 4;
  a.seq_q = a.seq_kv = 1024;
  a.head_dim_qk = 192;  // MLA: 128 nope + 64 rope
  a.head_dim_v = 128;
  // Pairs: 1024 * 1025 / 2 = 524800; FLOPs = 2 * (2*4) * 524800 * (192 + 128).
  const double fwd = 2.0 * 8 * 524800.0 * 320;
  CHECK(work_of(KernelClass::kAttentionFwd, a, TileShape{}, 1).flops == Approx(fwd));
  CHECK(work_of(KernelClass::kAttentionBwd, a, TileShape{}, 1).flops == Approx(2.5 * fwd));
}
