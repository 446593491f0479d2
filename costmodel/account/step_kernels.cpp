#include "costmodel/account/step_kernels.hpp"

#include <cmath>

namespace llmsim {

namespace {

constexpr double kAct = 2.0;         // BF16 activation element
constexpr double kMask = 1.0;        // dropout mask element
constexpr double kScale = 4.0 / 128; // FP32 scale per 128-element tile

OpAccount elementwise(const std::string& name, Precision p) {
  OpAccount op;
  op.name = name;
  op.kind = OperatorKind::kElementwise;
  op.precision = p;
  return op;
}

}  // namespace

OpAccount residual_add(const std::string& name, double rows, double width, const KernelStack& stack) {
  OpAccount op = elementwise(name, Precision::kBF16);
  const double e = rows * width;
  const double mask = stack.hidden_dropout > 0 ? e * kMask : 0.0;
  if (stack.fused_residual_norm) {
    // Inside the next norm: one more input read and the sum written; backward: the two
    // gradients added where the norm writes its input gradient.
    op.forward_bytes = 2.0 * e * kAct + mask;
    op.dgrad_bytes = e * kAct + mask;
  } else {
    op.forward_bytes = 3.0 * e * kAct + mask;  // read x and the branch, write the sum
    op.dgrad_bytes = 3.0 * e * kAct + mask;    // add the branch's input gradient to dy
  }
  op.saved_bytes = mask;
  return op;
}

OpAccount rotary(const std::string& name, double rows, double q_width, double k_width) {
  OpAccount op = elementwise(name, Precision::kBF16);
  const double e = rows * (q_width + k_width);
  op.forward_bytes = 2.0 * e * kAct;
  op.dgrad_bytes = 2.0 * e * kAct;
  return op;
}

namespace {

// One batched matmul of the unfused attention: `groups` equal GEMMs of m x n x k in one
// kernel; no parameters.
OpAccount batched_matmul(const std::string& name, Precision p, double groups, double m, double n,
                         double k) {
  OpAccount op;
  op.name = name;
  op.kind = OperatorKind::kGroupedGemm;
  op.precision = p;
  const auto g = static_cast<int>(std::llround(groups));
  op.gemm = GemmShape{static_cast<std::int64_t>(std::llround(m)),
                      static_cast<std::int64_t>(std::llround(n)),
                      static_cast<std::int64_t>(std::llround(k)), g, m, true};
  op.forward_flops = op.dgrad_flops = op.wgrad_flops = 2.0 * groups * m * n * k;
  op.forward_bytes = groups * (m * k + k * n + m * n) * kAct;
  op.dgrad_bytes = op.wgrad_bytes = op.forward_bytes;
  return op;
}

}  // namespace

std::vector<OpAccount> unfused_attention(const std::string& prefix, double batch, double q_len,
                                         double kv_len, int heads, int qk_dim, int v_dim,
                                         Precision precision, const KernelStack& stack, bool keep) {
  const double groups = batch * heads;
  const double scores = groups * q_len * kv_len;  // elements of the score matrix
  std::vector<OpAccount> ops;
  ops.push_back(batched_matmul(prefix + "attn.scores", precision, groups, q_len, kv_len, qk_dim));
  OpAccount softmax = elementwise(prefix + "attn.softmax", precision);
  softmax.forward_bytes = 2.0 * scores * kAct;  // read scores, write probabilities
  softmax.dgrad_bytes = 3.0 * scores * kAct;    // read probabilities and their gradient
  if (keep) softmax.saved_bytes = scores * kAct;
  ops.push_back(std::move(softmax));
  if (stack.attention_dropout > 0) {
    OpAccount drop = elementwise(prefix + "attn.dropout", precision);
    drop.forward_bytes = 2.0 * scores * kAct + scores * kMask;
    drop.dgrad_bytes = 2.0 * scores * kAct + scores * kMask;
    if (keep) drop.saved_bytes = scores * (kAct + kMask);
    ops.push_back(std::move(drop));
  }
  ops.push_back(batched_matmul(prefix + "attn.context", precision, groups, q_len, v_dim, kv_len));
  return ops;
}

OpAccount fp8_quantize(const std::string& name, double in_elems, double out_elems) {
  OpAccount op = elementwise(name, Precision::kFP8);
  const double per = kAct + 1.0 + kScale;  // read BF16, write E4M3 and its scales
  op.forward_bytes = in_elems * per;
  op.dgrad_bytes = (out_elems + in_elems) * per;
  return op;
}

OpAccount moe_route(const std::string& name, double tokens, int experts) {
  OpAccount op = elementwise(name, Precision::kFP32);
  const double e = tokens * experts;
  op.forward_bytes = 3.0 * e * 4.0;  // read logits, write scores, top-k pass over them
  op.dgrad_bytes = 3.0 * e * 4.0;
  return op;
}

OpAccount moe_permute(const std::string& name, double copies, double width, double in_bytes) {
  OpAccount op = elementwise(name, Precision::kBF16);
  op.forward_bytes = copies * width * (in_bytes + in_bytes);  // gather rows into expert order
  op.dgrad_bytes = copies * width * 2.0 * kAct;               // scatter their gradients back
  return op;
}

OpAccount moe_unpermute(const std::string& name, double tokens, double copies, double width) {
  OpAccount op = elementwise(name, Precision::kBF16);
  op.forward_bytes = (copies + tokens) * width * kAct;  // weighted sum of each token's copies
  op.dgrad_bytes = (tokens + 2.0 * copies) * width * kAct;
  return op;
}

}  // namespace llmsim
