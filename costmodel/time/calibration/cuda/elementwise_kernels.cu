// Memory-bound reference kernels on the GPU: fills and conversions (set-up, not timed), copy,
// triad, RMSNorm, SwiGLU, softmax, E4M3 quantization with 1 x 128, 128 x 128 and per-tensor
// scales, and the empty kernel. Each computes what its CPU version in cpu_kernels.cpp computes,
// in FP32 with IEEE division and expf (no fast-math), so that results agree closely.

#include <algorithm>
#include <cmath>

#include "costmodel/time/calibration/cuda/cuda_support.cuh"

namespace llmsim::calibration::cuda {

namespace {

constexpr int kThreads = 256;
constexpr float kE4m3Max = 448.0f;  // OCP FP8 E4M3: largest finite value

// Grid for a grid-stride loop over n items.
unsigned blocks_for(std::int64_t n) {
  const std::int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::max<std::int64_t>(1, std::min<std::int64_t>(b, 16384)));
}

void check_launch(const char* kernel) {
  check(cudaGetLastError(), kernel);
}

__device__ std::int64_t global_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ std::int64_t grid_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

__global__ void fill_uniform_kernel(float* x, std::int64_t n, std::uint32_t seed) {
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) {
    // A 32-bit integer hash (lowbias32) of (index, seed): varied, finite, never denormal.
    std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u ^ (seed * 0x9e3779b9u) ^
                      static_cast<std::uint32_t>(i >> 32);
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    x[i] = static_cast<float>(h >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
}

__global__ void float_to_bf16_kernel(const float* x, __nv_bfloat16* y, std::int64_t n) {
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) y[i] = __float2bfloat16_rn(x[i]);
}

__global__ void bf16_to_float_kernel(const __nv_bfloat16* x, float* y, std::int64_t n) {
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) y[i] = __bfloat162float(x[i]);
}

__global__ void copy_kernel(const float* x, float* y, std::int64_t n) {
  const std::int64_t n4 = n / 4;
  const float4* x4 = reinterpret_cast<const float4*>(x);
  float4* y4 = reinterpret_cast<float4*>(y);
  for (std::int64_t i = global_index(); i < n4; i += grid_stride()) y4[i] = x4[i];
  for (std::int64_t i = n4 * 4 + global_index(); i < n; i += grid_stride()) y[i] = x[i];
}

__global__ void triad_kernel(float* a, const float* b, const float* c, std::int64_t n) {
  const std::int64_t n4 = n / 4;
  const float4* b4 = reinterpret_cast<const float4*>(b);
  const float4* c4 = reinterpret_cast<const float4*>(c);
  float4* a4 = reinterpret_cast<float4*>(a);
  for (std::int64_t i = global_index(); i < n4; i += grid_stride()) {
    const float4 bb = b4[i], cc = c4[i];
    a4[i] =
        make_float4(bb.x + 3.0f * cc.x, bb.y + 3.0f * cc.y, bb.z + 3.0f * cc.z, bb.w + 3.0f * cc.w);
  }
  for (std::int64_t i = n4 * 4 + global_index(); i < n; i += grid_stride()) {
    a[i] = b[i] + 3.0f * c[i];
  }
}

__global__ void swiglu_kernel(const float* gate, const float* up, float* y, std::int64_t n) {
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) {
    const float g = gate[i];
    y[i] = g / (1.0f + expf(-g)) * up[i];
  }
}

// Block-wide sum / max of one value per thread (blockDim.x a multiple of 32, <= 1024).
__device__ float warp_sum(float v) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ float warp_max(float v) {
  for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
template <bool kMax>
__device__ float block_reduce(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = kMax ? warp_max(v) : warp_sum(v);
  __syncthreads();  // partial[] may still be read by a previous reduction
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = static_cast<int>(blockDim.x / 32);
  v = lane < warps ? partial[lane] : (kMax ? -INFINITY : 0.0f);
  return kMax ? warp_max(v) : warp_sum(v);
}

// One block per row.
__global__ void rmsnorm_kernel(const float* x, const float* w, float* y, std::int64_t cols) {
  const float* xr = x + static_cast<std::int64_t>(blockIdx.x) * cols;
  float* yr = y + static_cast<std::int64_t>(blockIdx.x) * cols;
  float ss = 0.0f;
  for (std::int64_t j = threadIdx.x; j < cols; j += blockDim.x) ss += xr[j] * xr[j];
  ss = block_reduce<false>(ss);
  const float inv = 1.0f / sqrtf(ss / static_cast<float>(cols) + 1e-6f);
  for (std::int64_t j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = xr[j] * inv * w[j];
}

// One block per row.
__global__ void softmax_kernel(const float* x, float* y, std::int64_t cols) {
  const float* xr = x + static_cast<std::int64_t>(blockIdx.x) * cols;
  float* yr = y + static_cast<std::int64_t>(blockIdx.x) * cols;
  float mx = -INFINITY;
  for (std::int64_t j = threadIdx.x; j < cols; j += blockDim.x) mx = fmaxf(mx, xr[j]);
  mx = block_reduce<true>(mx);
  float sum = 0.0f;
  for (std::int64_t j = threadIdx.x; j < cols; j += blockDim.x) sum += expf(xr[j] - mx);
  sum = block_reduce<false>(sum);
  const float inv = 1.0f / sum;
  for (std::int64_t j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = expf(xr[j] - mx) * inv;
}

// The scale of a block whose absolute maximum is amax, as cpu_kernels.cpp's quantize_blocks.
__device__ float scale_for(float amax) {
  return amax > 0.0f ? amax / kE4m3Max : 1.0f;
}

// One warp per 1 x 128 tile, four values per lane (lane + 32 i: coalesced).
__global__ void quantize_1x128_kernel(const float* x, std::int64_t rows, std::int64_t cols,
                                      __nv_fp8_e4m3* q, float* scales, std::int64_t row_stride,
                                      std::int64_t tile_stride) {
  const int lane = threadIdx.x % 32;
  const std::int64_t tiles_per_row = (cols + 127) / 128;
  const std::int64_t tiles = rows * tiles_per_row;
  const std::int64_t warps = grid_stride() / 32;
  for (std::int64_t t = global_index() / 32; t < tiles; t += warps) {
    const std::int64_t r = t / tiles_per_row, b = t % tiles_per_row;
    const float* xr = x + r * cols;
    float v[4];
    float amax = 0.0f;
    for (int i = 0; i < 4; ++i) {
      const std::int64_t c = b * 128 + lane + 32 * i;
      v[i] = c < cols ? xr[c] : 0.0f;
      amax = fmaxf(amax, fabsf(v[i]));
    }
    amax = warp_max(amax);
    const float scale = scale_for(amax);
    const float inv = 1.0f / scale;
    for (int i = 0; i < 4; ++i) {
      const std::int64_t c = b * 128 + lane + 32 * i;
      if (c < cols) q[r * cols + c] = __nv_fp8_e4m3(v[i] * inv);
    }
    if (lane == 0) scales[r * row_stride + b * tile_stride] = scale;
  }
}

// One block per 128 x 128 block of x.
__global__ void quantize_128x128_kernel(const float* x, std::int64_t rows, std::int64_t cols,
                                        __nv_fp8_e4m3* q, float* scales, std::int64_t ld) {
  const std::int64_t rb = blockIdx.y, cb = blockIdx.x;
  const std::int64_t r0 = rb * 128, c0 = cb * 128;
  const std::int64_t r1 = min(rows, r0 + 128), c1 = min(cols, c0 + 128);
  const std::int64_t w = c1 - c0, count = (r1 - r0) * w;
  float amax = 0.0f;
  for (std::int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    amax = fmaxf(amax, fabsf(x[(r0 + i / w) * cols + c0 + i % w]));
  }
  amax = block_reduce<true>(amax);
  const float scale = scale_for(amax);
  const float inv = 1.0f / scale;
  for (std::int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    const std::int64_t at = (r0 + i / w) * cols + c0 + i % w;
    q[at] = __nv_fp8_e4m3(x[at] * inv);
  }
  if (threadIdx.x == 0) scales[rb * ld + cb] = scale;
}

// Absolute maximum into *amax (non-negative floats order as their bit patterns do).
__global__ void amax_kernel(const float* x, std::int64_t n, unsigned* amax) {
  float m = 0.0f;
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) m = fmaxf(m, fabsf(x[i]));
  m = block_reduce<true>(m);
  if (threadIdx.x == 0) atomicMax(amax, __float_as_uint(m));
}

__global__ void quantize_tensor_kernel(const float* x, std::int64_t n, __nv_fp8_e4m3* q,
                                       float* scale, const unsigned* amax) {
  const float s = scale_for(__uint_as_float(*amax));
  const float inv = 1.0f / s;
  if (global_index() == 0) *scale = s;
  for (std::int64_t i = global_index(); i < n; i += grid_stride()) q[i] = __nv_fp8_e4m3(x[i] * inv);
}

__global__ void empty_kernel() {}

}  // namespace

void fill_uniform(float* x, std::int64_t n, std::uint32_t seed, cudaStream_t s) {
  fill_uniform_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, n, seed);
  check_launch("fill_uniform_kernel");
}

void float_to_bf16(const float* x, __nv_bfloat16* y, std::int64_t n, cudaStream_t s) {
  float_to_bf16_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  check_launch("float_to_bf16_kernel");
}

void bf16_to_float(const __nv_bfloat16* x, float* y, std::int64_t n, cudaStream_t s) {
  bf16_to_float_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  check_launch("bf16_to_float_kernel");
}

void launch_copy(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  copy_kernel<<<blocks_for((n + 3) / 4), kThreads, 0, s>>>(x, y, n);
  check_launch("copy_kernel");
}

void launch_triad(float* a, const float* b, const float* c, std::int64_t n, cudaStream_t s) {
  triad_kernel<<<blocks_for((n + 3) / 4), kThreads, 0, s>>>(a, b, c, n);
  check_launch("triad_kernel");
}

void launch_rmsnorm(const float* x, const float* w, float* y, std::int64_t rows, std::int64_t cols,
                    cudaStream_t s) {
  if (rows < 1 || rows > 2147483647 || cols < 1) fail("rmsnorm: rows and cols must be positive");
  rmsnorm_kernel<<<static_cast<unsigned>(rows), kThreads, 0, s>>>(x, w, y, cols);
  check_launch("rmsnorm_kernel");
}

void launch_swiglu(const float* gate, const float* up, float* y, std::int64_t n, cudaStream_t s) {
  swiglu_kernel<<<blocks_for(n), kThreads, 0, s>>>(gate, up, y, n);
  check_launch("swiglu_kernel");
}

void launch_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols,
                    cudaStream_t s) {
  if (rows < 1 || rows > 2147483647 || cols < 1) fail("softmax: rows and cols must be positive");
  softmax_kernel<<<static_cast<unsigned>(rows), kThreads, 0, s>>>(x, y, cols);
  check_launch("softmax_kernel");
}

void launch_quantize_1x128(const float* x, std::int64_t rows, std::int64_t cols, __nv_fp8_e4m3* q,
                           float* scales, std::int64_t row_stride, std::int64_t tile_stride,
                           cudaStream_t s) {
  const std::int64_t tiles = rows * ((cols + 127) / 128);
  quantize_1x128_kernel<<<blocks_for(tiles * 32), kThreads, 0, s>>>(x, rows, cols, q, scales,
                                                                    row_stride, tile_stride);
  check_launch("quantize_1x128_kernel");
}

void launch_quantize_128x128(const float* x, std::int64_t rows, std::int64_t cols, __nv_fp8_e4m3* q,
                             float* scales, std::int64_t ld, cudaStream_t s) {
  const dim3 grid(static_cast<unsigned>((cols + 127) / 128),
                  static_cast<unsigned>((rows + 127) / 128));
  quantize_128x128_kernel<<<grid, kThreads, 0, s>>>(x, rows, cols, q, scales, ld);
  check_launch("quantize_128x128_kernel");
}

void launch_quantize_tensor(const float* x, std::int64_t n, __nv_fp8_e4m3* q, float* scale,
                            unsigned* amax, cudaStream_t s) {
  LLMSIM_CUDA_CHECK(cudaMemsetAsync(amax, 0, sizeof(unsigned), s));
  amax_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, n, amax);
  check_launch("amax_kernel");
  quantize_tensor_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, n, q, scale, amax);
  check_launch("quantize_tensor_kernel");
}

void launch_empty(cudaStream_t s) {
  empty_kernel<<<1, 1, 0, s>>>();
  check_launch("empty_kernel");
}

}  // namespace llmsim::calibration::cuda
