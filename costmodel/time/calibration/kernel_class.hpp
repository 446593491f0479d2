#pragma once
// Kernel classes and shapes: what the calibrated kernel-time model is asked about.
//
// A KernelClass names one family of kernels whose time one fitted model predicts (FP8 GEMMs,
// memory-bound elementwise kernels, attention forward, ...). A KernelShape carries the sizes
// of one call; each class reads only the fields it documents below. work_of() turns a
// (class, shape) pair into the quantities the model times: useful FLOPs, bytes moved and
// the tiles the work splits into.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llmsim::calibration {

enum class KernelClass {
  kGemmFp32,        // C[m,n] = A[m,k] B[k,n], FP32 in and out
  kGemmBf16,        // BF16 inputs, FP32 accumulation, BF16 output
  kGemmFp8,         // FP8 E4M3 inputs with fine-grained scales, BF16 output (DeepGEMM)
  kGroupedGemmFp8,  // `groups` FP8 GEMMs of m x n x k each (MoE experts)
  kMemoryBound,     // streaming kernel moving `bytes` (copy, add, activation, ...)
  kRmsNorm,         // rows x cols, FP32
  kSwiGlu,          // rows x cols output from two rows x cols inputs, FP32
  kSoftmax,         // rows x cols, FP32
  kFp8Quantize,     // rows x cols FP32 to E4M3 with 1x128 tile scales
  kAttentionFwd,    // batch x heads x seq_q queries against seq_kv keys
  kAttentionBwd,    // the matching backward (dQ, dK, dV)
  // The same two as FlashAttention-2 runs them, where the GPU's best fused kernel is another
  // (Hopper: FlashAttention-3 / cuDNN use TMA and WGMMA, FA2 neither): a stack's choice.
  kAttentionFwdFa2,
  kAttentionBwdFa2,
  kAllReduce,       // all-reduce of `bytes` per participant among `participants`
  kAllToAll,        // all-to-all, `bytes` sent per participant among `participants`
  kLaunch,          // dispatch overhead of one empty kernel
};

// The attention classes (forward and backward, best kernel or FA2), and the backward ones.
bool is_attention_class(KernelClass c);
bool is_attention_backward(KernelClass c);

// Every class, in the order profiles list them.
const std::vector<KernelClass>& all_kernel_classes();
// The snake_case name used in profiles and on the command line ("gemm_fp8").
std::string kernel_class_name(KernelClass c);
std::optional<KernelClass> parse_kernel_class(const std::string& name);
// Every class name, for error messages.
std::vector<std::string> kernel_class_names();

// The sizes of one kernel call. Fields a class does not use are ignored.
struct KernelShape {
  // GEMM classes: C[m, n] += A[m, k] B[k, n]; grouped GEMMs repeat it `groups` times.
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t groups = 1;
  // kMemoryBound, kAllReduce, kAllToAll: bytes read plus written (memory) or sent (comm).
  double bytes = 0.0;
  std::int64_t participants = 1;
  // kRmsNorm, kSwiGlu, kSoftmax, kFp8Quantize: a rows x cols FP32 tensor.
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  // Attention: batch x heads queries of head_dim_qk, values of head_dim_v (MLA: 192 and
  // 128 in training; MHA: equal). causal: query i sees keys 0..i (seq_q == seq_kv).
  std::int64_t batch = 0;
  std::int64_t heads = 0;
  std::int64_t seq_q = 0;
  std::int64_t seq_kv = 0;
  std::int64_t head_dim_qk = 0;
  std::int64_t head_dim_v = 0;
  bool causal = true;
  // Decode over a latent cache (MLA with absorbed weights): the values are the first
  // head_dim_v elements of the cached keys, so the cache is read once (head_dim_qk per key).
  bool kv_shared = false;
  double kv_element_bytes = 2.0;  // bytes per cached key / value element (BF16 2, FP8 1)
  // Decode kernels split the keys of a sequence over SMs when there are fewer query tiles
  // than SMs (FlashMLA, FlashDecoding): the work spreads evenly, with no wave quantization.
  bool split_kv = false;
};

// A GEMM's shape: C[m, n] += A[m, k] B[k, n].
inline KernelShape gemm_shape(std::int64_t m, std::int64_t n, std::int64_t k) {
  KernelShape s;
  s.m = m;
  s.n = n;
  s.k = k;
  return s;
}

// How a kernel cuts its output into tiles (rows x columns of output per tile).
//   fixed: m x n as given (0 = the whole dimension, untiled).
//   wave_optimal: DeepGEMM's configuration heuristic as we read it (deep_gemm/jit_kernels/
//     gemm.py, get_best_configs, 2025-02 release): block_m = 64 if the GEMM's m <= 64 else
//     `m`; block_n from 16 to `n` in steps of 8, the one with the fewest waves over the units,
//     then the fullest last wave, then the smallest block_n. With m >= 1024, block_n dividing
//     n / 2 and an even unit count, two units share each A panel through TMA multicast
//     (is_tma_multicast_legal in the same file), so each loads half of it.
//   wave_optimal_split_k: wave_optimal's tile and multicast; when those tiles fill fewer than
//     the units, the k-loop splits over them as cuBLAS's split-K / stream-K kernels do for
//     few-tile shapes: splits = min(floor(units / tiles), k-blocks of 128), each piece a tile
//     of k / splits, and the FP32 partial sums written and read once (8 bytes x m x n x
//     splits). XLA's H100 table needs it: 256 x 256 x 4096 runs in 6.2 us, where four
//     128 x 128 tiles each running the whole k-loop would take 18 us at the BF16 peak.
enum class TilePolicy { kFixed, kWaveOptimal, kWaveOptimalSplitK };

struct TileShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  TilePolicy policy = TilePolicy::kFixed;
};

// What one call costs, in the model's terms.
struct KernelWork {
  double flops = 0.0;        // useful floating-point operations (multiply-add = 2)
  double bytes = 0.0;        // bytes read and written from memory (or sent, for comm)
  double tiles = 0.0;        // independent output tiles the work splits into (>= 1 if flops)
  double tile_flops = 0.0;   // floating-point operations of one full (padded) tile
  double tile_bytes = 0.0;   // operand bytes one tile loads (its A and B panels)
  double k_blocks = 0.0;     // iterations of a tile's k-loop (GEMMs: k / 128); 0: no k-loop
  double elementwise = 0.0;  // non-matmul element operations (attention: softmax entries;
                             // FP8 GEMMs: operand elements to dequantize)
  std::int64_t participants = 1;
};

// Throws UserError naming the class and the field when a shape is invalid for the class
// (a GEMM with k = 0, attention without heads, ...).
// `units` (SMs or cores) matters only to the wave_optimal tile policies.
KernelWork work_of(KernelClass c, const KernelShape& s, TileShape tile, int units = 1);

// The tile a GEMM of m x n (times `groups`) runs with under `tile` on `units` units.
TileShape gemm_tile(std::int64_t m, std::int64_t n, std::int64_t groups, TileShape tile, int units);

// Human-readable shape for tables ("m=4096 n=7168 k=2048").
std::string describe_shape(KernelClass c, const KernelShape& s);

}  // namespace llmsim::calibration
