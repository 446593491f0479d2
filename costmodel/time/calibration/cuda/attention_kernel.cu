// Causal attention forward, FlashAttention-style (Dao et al., FlashAttention-2, Algorithm 1):
// one thread block per (64-query tile, batch x head); it walks the key tiles of 64 up to the
// diagonal, keeping the running row maximum m, the running denominator l and the unnormalized
// output O, and rescales O by exp(m_old - m_new) whenever the maximum grows (online softmax).
// Q, K, V and O are BF16, batch_heads x seq x D; all arithmetic is FP32 on CUDA cores.
//
// 256 threads: for S = Q K^T and O += P V thread (ty, tx) = (tid / 16, tid % 16) owns rows
// ty + 16 i (i < 4) and columns tx + 16 j; for the softmax four consecutive threads share a
// row. Shared memory: the scaled Q tile and one K-or-V tile (rows padded to D + 1 floats, so
// that the 16 column owners of a warp hit 16 different banks), S / P (64 x 65) and the row
// statistics: 81.5 KiB for D = 128 (an opt-in above the default 48 KiB).

#include <string>

#include "costmodel/time/calibration/cuda/cuda_support.cuh"

namespace llmsim::calibration::cuda {

namespace {

constexpr int kTile = 64;
constexpr int kAttnThreads = 256;
constexpr int kSStride = kTile + 1;

template <int D>
constexpr std::size_t attention_shared_bytes() {
  return sizeof(float) * (2 * kTile * (D + 1) + kTile * kSStride + 3 * kTile);
}

// Rows [0, 64) of a tile starting at row0, converted to float (times `scale`); rows at or past
// seq are zero.
template <int D>
__device__ void load_tile(float* dst, const __nv_bfloat16* src, std::int64_t row0, std::int64_t seq,
                          float scale) {
  for (int i = threadIdx.x; i < kTile * D; i += kAttnThreads) {
    const int r = i / D, c = i % D;
    const std::int64_t row = row0 + r;
    dst[r * (D + 1) + c] = row < seq ? __bfloat162float(src[row * D + c]) * scale : 0.0f;
  }
}

// S = (Q / sqrt(D)) K^T, masked: key k0 + c is visible to query q0 + r if k0 + c <= q0 + r
// and k0 + c < seq. Every row sees at least one key of every tile walked (key tiles before
// the diagonal entirely; the diagonal tile its first key), so every row maximum is finite.
template <int D>
__device__ __forceinline__ void tile_scores(float* ss, const float* qs, const float* kvs, int ty,
                                            int tx, std::int64_t q0, std::int64_t k0,
                                            std::int64_t seq) {
  float acc_s[4][4] = {};
  for (int d = 0; d < D; ++d) {
    float qv[4], kv[4];
    for (int i = 0; i < 4; ++i) qv[i] = qs[(ty + 16 * i) * (D + 1) + d];
    for (int j = 0; j < 4; ++j) kv[j] = kvs[(tx + 16 * j) * (D + 1) + d];
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) acc_s[i][j] += qv[i] * kv[j];
    }
  }
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const int r = ty + 16 * i, c = tx + 16 * j;
      const std::int64_t key = k0 + c;
      const bool visible = key <= q0 + r && key < seq;
      ss[r * kSStride + c] = visible ? acc_s[i][j] : -INFINITY;
    }
  }
}

// The online softmax of the tile's scores: four consecutive threads share a row; the scores
// in ss become probabilities and the row statistics move to the tile.
__device__ __forceinline__ void online_softmax(float* ss, float* row_max, float* row_sum,
                                               float* row_alpha, int tid) {
  const int r = tid / 4, part = tid % 4;
  float* sr = ss + r * kSStride;
  float mx = -INFINITY;
  for (int c = part; c < kTile; c += 4) mx = fmaxf(mx, sr[c]);
  mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
  mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
  const float m_old = row_max[r];
  const float m_new = fmaxf(m_old, mx);
  float sum = 0.0f;
  for (int c = part; c < kTile; c += 4) {
    const float p = expf(sr[c] - m_new);  // exp(-inf) = 0 for masked keys
    sr[c] = p;
    sum += p;
  }
  sum += __shfl_xor_sync(0xffffffffu, sum, 1);
  sum += __shfl_xor_sync(0xffffffffu, sum, 2);
  __syncwarp();
  if (part == 0) {
    const float alpha = expf(m_old - m_new);  // 0 on the first tile (m_old = -inf)
    row_alpha[r] = alpha;
    row_sum[r] = row_sum[r] * alpha + sum;
    row_max[r] = m_new;
  }
}

// O = alpha O + P V.
template <int D>
__device__ __forceinline__ void accumulate_pv(float (&acc_o)[4][D / 16], const float* ss,
                                              const float* kvs, const float* row_alpha, int ty,
                                              int tx) {
  constexpr int kCols = D / 16;
  for (int i = 0; i < 4; ++i) {
    const float alpha = row_alpha[ty + 16 * i];
    for (int j = 0; j < kCols; ++j) acc_o[i][j] *= alpha;
  }
  for (int key = 0; key < kTile; ++key) {
    float p[4];
    for (int i = 0; i < 4; ++i) p[i] = ss[(ty + 16 * i) * kSStride + key];
    for (int j = 0; j < kCols; ++j) {
      const float vv = kvs[key * (D + 1) + tx + 16 * j];
      for (int i = 0; i < 4; ++i) acc_o[i][j] += p[i] * vv;
    }
  }
}

// O / l for the thread's rows below seq, as BF16.
template <int D>
__device__ __forceinline__ void store_output(__nv_bfloat16* o, std::size_t base,
                                             const float (&acc_o)[4][D / 16], const float* row_sum,
                                             std::int64_t q0, std::int64_t seq, int ty, int tx) {
  constexpr int kCols = D / 16;
  for (int i = 0; i < 4; ++i) {
    const int r = ty + 16 * i;
    const std::int64_t row = q0 + r;
    if (row >= seq) continue;
    const float inv = 1.0f / row_sum[r];
    for (int j = 0; j < kCols; ++j) {
      o[base + static_cast<std::size_t>(row) * D + tx + 16 * j] =
          __float2bfloat16_rn(acc_o[i][j] * inv);
    }
  }
}

template <int D>
__global__ void __launch_bounds__(kAttnThreads)
    attention_fwd_kernel(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v,
                         __nv_bfloat16* o, std::int64_t seq) {
  extern __shared__ float smem[];
  float* qs = smem;                        // kTile x (D + 1), scaled by 1 / sqrt(D)
  float* kvs = qs + kTile * (D + 1);       // kTile x (D + 1): K, then V, of one key tile
  float* ss = kvs + kTile * (D + 1);       // kTile x kSStride: scores, then probabilities
  float* row_max = ss + kTile * kSStride;  // m per row
  float* row_sum = row_max + kTile;        // l per row
  float* row_alpha = row_sum + kTile;      // exp(m_old - m_new) of the current key tile

  constexpr int kCols = D / 16;  // output columns per thread
  const int tid = threadIdx.x, ty = tid / 16, tx = tid % 16;
  // Heaviest (last) query tiles first: causal tiles near the end see the most keys.
  const std::int64_t q_tiles = gridDim.x;
  const std::int64_t qt = q_tiles - 1 - blockIdx.x;
  const std::int64_t q0 = qt * kTile;
  const std::int64_t head = blockIdx.y;
  const std::size_t base = static_cast<std::size_t>(head) * static_cast<std::size_t>(seq) * D;
  const __nv_bfloat16* qh = q + base;
  const __nv_bfloat16* kh = k + base;
  const __nv_bfloat16* vh = v + base;

  load_tile<D>(qs, qh, q0, seq, rsqrtf(static_cast<float>(D)));
  if (tid < kTile) {
    row_max[tid] = -INFINITY;
    row_sum[tid] = 0.0f;
  }
  float acc_o[4][kCols];
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < kCols; ++j) acc_o[i][j] = 0.0f;
  }

  for (std::int64_t kt = 0; kt <= qt; ++kt) {
    const std::int64_t k0 = kt * kTile;
    __syncthreads();  // the previous tile's P V is done with kvs and ss
    load_tile<D>(kvs, kh, k0, seq, 1.0f);
    __syncthreads();
    tile_scores<D>(ss, qs, kvs, ty, tx, q0, k0, seq);
    __syncthreads();
    // V replaces K (the scores are in ss); the online softmax of the tile's scores.
    load_tile<D>(kvs, vh, k0, seq, 1.0f);
    online_softmax(ss, row_max, row_sum, row_alpha, tid);
    __syncthreads();
    accumulate_pv<D>(acc_o, ss, kvs, row_alpha, ty, tx);
  }
  __syncthreads();
  store_output<D>(o, base, acc_o, row_sum, q0, seq, ty, tx);
}

template <int D>
void launch_for(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v,
                __nv_bfloat16* o, std::int64_t batch_heads, std::int64_t seq, int max_shared_bytes,
                cudaStream_t s) {
  constexpr std::size_t bytes = attention_shared_bytes<D>();
  if (bytes > static_cast<std::size_t>(max_shared_bytes)) {
    fail("attention_fwd: head_dim " + std::to_string(D) + " needs " + std::to_string(bytes) +
         " bytes of shared memory per block; this device allows " +
         std::to_string(max_shared_bytes));
  }
  LLMSIM_CUDA_CHECK(cudaFuncSetAttribute(attention_fwd_kernel<D>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(bytes)));
  const dim3 grid(static_cast<unsigned>((seq + kTile - 1) / kTile),
                  static_cast<unsigned>(batch_heads));
  attention_fwd_kernel<D><<<grid, kAttnThreads, bytes, s>>>(q, k, v, o, seq);
  check(cudaGetLastError(), "attention_fwd_kernel");
}

}  // namespace

void launch_attention(const __nv_bfloat16* q, const __nv_bfloat16* k, const __nv_bfloat16* v,
                      __nv_bfloat16* o, std::int64_t batch_heads, std::int64_t seq,
                      std::int64_t head_dim, int max_shared_bytes, cudaStream_t s) {
  if (batch_heads < 1 || batch_heads > 65535 || seq < 1) {
    fail("attention_fwd: batch x heads must be 1 to 65535 and seq positive");
  }
  switch (head_dim) {
    case 64: launch_for<64>(q, k, v, o, batch_heads, seq, max_shared_bytes, s); return;
    case 128: launch_for<128>(q, k, v, o, batch_heads, seq, max_shared_bytes, s); return;
    default: fail("attention_fwd: head_dim " + std::to_string(head_dim) + ": 64 or 128");
  }
}

}  // namespace llmsim::calibration::cuda
