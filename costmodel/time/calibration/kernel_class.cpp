#include "costmodel/time/calibration/kernel_class.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

struct ClassName {
  KernelClass c;
  const char* name;
};

constexpr ClassName kNames[] = {
    {KernelClass::kGemmFp32, "gemm_fp32"},
    {KernelClass::kGemmBf16, "gemm_bf16"},
    {KernelClass::kGemmFp8, "gemm_fp8"},
    {KernelClass::kGroupedGemmFp8, "grouped_gemm_fp8"},
    {KernelClass::kMemoryBound, "memory_bound"},
    {KernelClass::kRmsNorm, "rmsnorm"},
    {KernelClass::kSwiGlu, "swiglu"},
    {KernelClass::kSoftmax, "softmax"},
    {KernelClass::kFp8Quantize, "fp8_quantize"},
    {KernelClass::kAttentionFwd, "attention_fwd"},
    {KernelClass::kAttentionBwd, "attention_bwd"},
    {KernelClass::kAttentionFwdFa2, "attention_fwd_fa2"},
    {KernelClass::kAttentionBwdFa2, "attention_bwd_fa2"},
    {KernelClass::kAllReduce, "all_reduce"},
    {KernelClass::kAllToAll, "all_to_all"},
    {KernelClass::kLaunch, "launch"},
};

double ceil_div(std::int64_t a, std::int64_t b) {
  return static_cast<double>((a + b - 1) / b);
}

void need_positive(KernelClass c, const char* field, std::int64_t v) {
  if (v <= 0) {
    throw UserError(fmt::format("kernel class {}: shape.{} = {}: must be at least 1",
                                kernel_class_name(c), field, v));
  }
}

KernelWork gemm_work(KernelClass c, const KernelShape& s, TileShape policy, int units,
                     double in_bytes, double out_bytes) {
  need_positive(c, "m", s.m);
  need_positive(c, "n", s.n);
  need_positive(c, "k", s.k);
  need_positive(c, "groups", s.groups);
  const double m = static_cast<double>(s.m), n = static_cast<double>(s.n),
               k = static_cast<double>(s.k), g = static_cast<double>(s.groups);
  KernelWork w;
  w.flops = 2.0 * g * m * n * k;
  // A and B read once, C written once: DeepGEMM's README counts bytes this way (its
  // mem_bw_GBps column equals (m*k + n*k + 2*m*n) / time for FP8 in, BF16 out).
  w.bytes = g * (in_bytes * (m * k + n * k) + out_bytes * m * n);
  const TileShape tile = gemm_tile(s.m, s.n, s.groups, policy, units);
  const std::int64_t tm = tile.m;
  const std::int64_t tn = tile.n;
  w.tiles = g * ceil_div(s.m, tm) * ceil_div(s.n, tn);
  w.tile_flops = 2.0 * static_cast<double>(tm) * static_cast<double>(tn) * k;
  // Two units multicast each A panel (wave-optimal tiles only: DeepGEMM's TMA multicast).
  const bool multicast = policy.policy != TilePolicy::kFixed && s.m >= 1024 &&
                         s.n % (2 * tn) == 0 && units % 2 == 0;
  w.tile_bytes = in_bytes * (static_cast<double>(tm) / (multicast ? 2.0 : 1.0) +
                             static_cast<double>(tn)) * k;
  // k-blocks of 128: DeepGEMM's BLOCK_K, the FP8 scaling block (DeepSeek-V3 report s3.3.2).
  w.k_blocks = ceil_div(s.k, 128);
  if (policy.policy == TilePolicy::kWaveOptimalSplitK && w.tiles < units) {
    const double splits = std::min(std::floor(units / w.tiles), w.k_blocks);
    if (splits > 1.0) {
      w.tiles *= splits;
      w.tile_flops /= splits;
      w.tile_bytes /= splits;
      w.k_blocks = std::ceil(w.k_blocks / splits);
      w.bytes += g * 8.0 * m * n * splits;
    }
  }
  // FP8 operands: the elements a kernel that dequantizes before multiplying converts (the CPU
  // reference does; a GPU kernel scales inside its k-loop and its profile leaves the rate 0).
  if (c == KernelClass::kGemmFp8 || c == KernelClass::kGroupedGemmFp8) {
    w.elementwise = g * (m * k + n * k);
  }
  return w;
}

KernelWork rows_cols_work(KernelClass c, const KernelShape& s, double bytes_per_element) {
  need_positive(c, "rows", s.rows);
  need_positive(c, "cols", s.cols);
  KernelWork w;
  w.bytes = bytes_per_element * static_cast<double>(s.rows) * static_cast<double>(s.cols);
  return w;
}

KernelWork attention_work(KernelClass c, const KernelShape& s, TileShape tile, int units) {
  need_positive(c, "batch", s.batch);
  need_positive(c, "heads", s.heads);
  need_positive(c, "seq_q", s.seq_q);
  need_positive(c, "seq_kv", s.seq_kv);
  need_positive(c, "head_dim_qk", s.head_dim_qk);
  need_positive(c, "head_dim_v", s.head_dim_v);
  if (s.causal && s.seq_q != s.seq_kv) {
    throw UserError(fmt::format("kernel class {}: causal attention needs seq_q = seq_kv "
                                "(seq_q = {}, seq_kv = {})",
                                kernel_class_name(c), s.seq_q, s.seq_kv));
  }
  const double bh = static_cast<double>(s.batch) * static_cast<double>(s.heads);
  const double sq = static_cast<double>(s.seq_q), skv = static_cast<double>(s.seq_kv);
  const double d = static_cast<double>(s.head_dim_qk + s.head_dim_v);
  // Query-key pairs: causal attention sees sq (sq + 1) / 2 of them (FlashAttention-2 paper,
  // section 3: causal halves the FLOPs).
  const double pairs = s.causal ? sq * (sq + 1.0) / 2.0 : sq * skv;
  // Forward: S = Q K^T (2 d_qk FLOPs per pair) and O = P V (2 d_v). Backward recomputes S
  // and runs dV = P^T dO, dP = dO V^T, dQ = dS K, dK = dS^T Q: 5 matmuls against 2, i.e.
  // 2.5x the forward (FlashAttention-2 paper, section 4.1).
  const double factor = is_attention_backward(c) ? 2.5 : 1.0;
  KernelWork w;
  w.flops = factor * 2.0 * bh * pairs * d;
  // BF16 Q and O; K and V in kv_element_bytes, once when shared (the backward also reads O
  // and dO and writes dQ, dK, dV: twice that).
  const double kv_width =
      static_cast<double>(s.kv_shared ? s.head_dim_qk : s.head_dim_qk + s.head_dim_v);
  const double io = bh * (2.0 * sq * static_cast<double>(s.head_dim_qk + s.head_dim_v) +
                          s.kv_element_bytes * skv * kv_width);
  w.bytes = (is_attention_backward(c) ? 2.0 : 1.0) * io;
  const std::int64_t tm = tile.m > 0 ? tile.m : s.seq_q;
  const double q_tiles = ceil_div(s.seq_q, tm);
  w.tiles = bh * q_tiles;
  // The padded work spread evenly over the tiles: a causal tile's key range grows with its
  // position, so the mean is what a wave of many tiles sees.
  const double padded_q = q_tiles * static_cast<double>(tm);
  const double padded_pairs = s.causal ? padded_q * (padded_q + 1.0) / 2.0 : padded_q * skv;
  w.tile_flops = factor * 2.0 * padded_pairs * d / q_tiles;
  // Softmax entries computed (exp, max, sum): once per visible pair forward; the backward
  // recomputes P and forms dS (FlashAttention-2 paper, Algorithm 2): twice.
  w.elementwise = (is_attention_backward(c) ? 2.0 : 1.0) * bh * pairs;
  if (s.split_kv && units > 1) {
    // FlashMLA's tile scheduler (get_mla_metadata) splits the sequences' keys over SM parts
    // so that every SM gets an equal share of the padded work: no wave quantization.
    w.tile_flops = w.tile_flops * w.tiles / units;
    w.tiles = units;
  }
  return w;
}

}  // namespace

const std::vector<KernelClass>& all_kernel_classes() {
  static const std::vector<KernelClass> all = [] {
    std::vector<KernelClass> v;
    for (const auto& n : kNames) v.push_back(n.c);
    return v;
  }();
  return all;
}

std::string kernel_class_name(KernelClass c) {
  for (const auto& n : kNames) {
    if (n.c == c) return n.name;
  }
  LLMSIM_CHECK(false, "kernel class without a name");
}

std::optional<KernelClass> parse_kernel_class(const std::string& name) {
  for (const auto& n : kNames) {
    if (name == n.name) return n.c;
  }
  return std::nullopt;
}

std::vector<std::string> kernel_class_names() {
  std::vector<std::string> v;
  for (const auto& n : kNames) v.emplace_back(n.name);
  return v;
}

TileShape gemm_tile(std::int64_t m, std::int64_t n, std::int64_t groups, TileShape tile,
                    int units) {
  if (tile.policy == TilePolicy::kFixed) {
    return TileShape{tile.m > 0 ? tile.m : m, tile.n > 0 ? tile.n : n, TilePolicy::kFixed};
  }
  LLMSIM_CHECK(units >= 1 && tile.m > 0 && tile.n >= 16, "wave-optimal tiles need units and sizes");
  const std::int64_t bm = m <= 64 ? 64 : tile.m;
  const std::int64_t u = units;
  std::int64_t best_n = 0, best_waves = 0, best_util = 0;
  for (std::int64_t bn = 16; bn <= tile.n; bn += 8) {
    const std::int64_t tiles = ((m + bm - 1) / bm) * ((n + bn - 1) / bn) * groups;
    const std::int64_t waves = (tiles + u - 1) / u;
    const std::int64_t util = tiles % u == 0 ? u : tiles % u;
    if (best_n == 0 || waves < best_waves || (waves == best_waves && util > best_util)) {
      best_n = bn;
      best_waves = waves;
      best_util = util;
    }
  }
  return TileShape{bm, best_n, TilePolicy::kFixed};
}

KernelWork work_of(KernelClass c, const KernelShape& s, TileShape tile, int units) {
  switch (c) {
    case KernelClass::kGemmFp32: return gemm_work(c, s, tile, units, 4.0, 4.0);
    case KernelClass::kGemmBf16: return gemm_work(c, s, tile, units, 2.0, 2.0);
    case KernelClass::kGemmFp8:
    case KernelClass::kGroupedGemmFp8: return gemm_work(c, s, tile, units, 1.0, 2.0);
    case KernelClass::kMemoryBound: {
      if (!(s.bytes > 0.0)) {
        throw UserError(fmt::format("kernel class memory_bound: shape.bytes = {}: must be "
                                    "positive",
                                    s.bytes));
      }
      KernelWork w;
      w.bytes = s.bytes;
      return w;
    }
    // FP32 in and out; SwiGLU reads gate and up and writes one; the FP8 quantizer reads
    // FP32 and writes one byte per element plus one FP32 scale per 128 (about 5.03 bytes).
    case KernelClass::kRmsNorm: return rows_cols_work(c, s, 8.0);
    case KernelClass::kSwiGlu: return rows_cols_work(c, s, 12.0);
    case KernelClass::kSoftmax: return rows_cols_work(c, s, 8.0);
    case KernelClass::kFp8Quantize: return rows_cols_work(c, s, 5.0 + 4.0 / 128.0);
    case KernelClass::kAttentionFwd:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2: return attention_work(c, s, tile, units);
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll: {
      need_positive(c, "participants", s.participants);
      if (!(s.bytes > 0.0)) {
        throw UserError(fmt::format("kernel class {}: shape.bytes = {}: must be positive",
                                    kernel_class_name(c), s.bytes));
      }
      const double p = static_cast<double>(s.participants);
      KernelWork w;
      // Bytes each participant moves: a ring all-reduce sends 2 (p-1)/p of its buffer
      // (reduce-scatter then all-gather); an all-to-all keeps 1/p of its buffer local.
      w.bytes = (c == KernelClass::kAllReduce ? 2.0 : 1.0) * (p - 1.0) / p * s.bytes;
      w.participants = s.participants;
      return w;
    }
    case KernelClass::kLaunch: return KernelWork{};
  }
  LLMSIM_CHECK(false, "unhandled kernel class");
}

bool is_attention_class(KernelClass c) {
  return c == KernelClass::kAttentionFwd || c == KernelClass::kAttentionBwd ||
         c == KernelClass::kAttentionFwdFa2 || c == KernelClass::kAttentionBwdFa2;
}

bool is_attention_backward(KernelClass c) {
  return c == KernelClass::kAttentionBwd || c == KernelClass::kAttentionBwdFa2;
}

std::string describe_shape(KernelClass c, const KernelShape& s) {
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8: return fmt::format("m={} n={} k={}", s.m, s.n, s.k);
    case KernelClass::kGroupedGemmFp8:
      return fmt::format("groups={} m={} n={} k={}", s.groups, s.m, s.n, s.k);
    case KernelClass::kMemoryBound: return fmt::format("bytes={:.4g}", s.bytes);
    case KernelClass::kRmsNorm:
    case KernelClass::kSwiGlu:
    case KernelClass::kSoftmax:
    case KernelClass::kFp8Quantize: return fmt::format("rows={} cols={}", s.rows, s.cols);
    case KernelClass::kAttentionFwd:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2:
      return fmt::format("b={} h={} sq={} skv={} d={}/{}{}", s.batch, s.heads, s.seq_q, s.seq_kv,
                         s.head_dim_qk, s.head_dim_v, s.causal ? " causal" : "");
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll:
      return fmt::format("p={} bytes={:.4g}", s.participants, s.bytes);
    case KernelClass::kLaunch: return "empty";
  }
  return "";
}

}  // namespace llmsim::calibration
