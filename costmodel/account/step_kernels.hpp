#pragma once
// The kernels of a training step around its GEMMs that move bytes without matmul FLOPs:
// residual adds (with the hidden dropout), rotary embedding, the unfused attention core's
// softmax and dropout, MoE routing and token permutation, and FP8 quantization of GEMM
// operands. Each returns an OpAccount of kind kElementwise (or kGroupedGemm for the unfused
// attention's batched matmuls) with its HBM bytes per pass; operator_account places them.
//
// Byte counts: every operand read once and every result written once, BF16 activations
// (2 bytes), 1-byte dropout masks, FP8 (1 byte) with one FP32 scale per 128 elements.

#include <string>
#include <vector>

#include "costmodel/account/operator_account.hpp"

namespace llmsim {

// x + branch after the attention or the MLP, over `rows` x `width` (rows: the tokens this
// GPU holds, 1/tp of them under sequence parallelism). With hidden dropout the mask is written
// in the forward and read in the backward; with fused_residual_norm the add is part of the
// next norm kernel, which then reads one more tensor and writes the sum (forward) and adds the
// two gradients (backward).
OpAccount residual_add(const std::string& name, double rows, double width, const KernelStack& stack);

// Rotary position embedding applied to Q and K (`q_width`, `k_width` elements per token):
// read and write both, forward and backward.
OpAccount rotary(const std::string& name, double rows, double q_width, double k_width);

// The unfused attention core over `batch` sequences of `q_len` queries against `kv_len` keys,
// `heads` heads: every (q, k) pair computed (no causal skipping). Ops: scores (batched GEMM),
// scale-mask-softmax, dropout (if attention_dropout > 0), context (batched GEMM). `keep`: the
// probabilities and the mask are kept for the backward (else recomputed).
std::vector<OpAccount> unfused_attention(const std::string& prefix, double batch, double q_len,
                                         double kv_len, int heads, int qk_dim, int v_dim,
                                         Precision precision, const KernelStack& stack, bool keep);

// One quantization pass per FP8 GEMM operand a BF16 kernel produced: the input (`in_elems`) in
// the forward; the output gradient (`out_elems`) and the input again, transposed for the
// weight gradient, in the backward.
OpAccount fp8_quantize(const std::string& name, double in_elems, double out_elems);

// MoE token movement on this GPU: routing (softmax and top-k over `experts` scores per token),
// permutation of the `copies` token copies into expert order before the grouped GEMM and the
// weighted un-permutation after it, `width` elements per copy.
OpAccount moe_route(const std::string& name, double tokens, int experts);
OpAccount moe_permute(const std::string& name, double copies, double width, double in_bytes);
OpAccount moe_unpermute(const std::string& name, double tokens, double copies, double width);

}  // namespace llmsim
