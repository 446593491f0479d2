#include "costmodel/account/operator_account.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "costmodel/account/eager_kernels.hpp"
#include "costmodel/account/step_kernels.hpp"
#include "sim/check.hpp"

namespace llmsim {

std::string_view recompute_policy_name(RecomputePolicy p) {
  switch (p) {
    case RecomputePolicy::kNone: return "none";
    case RecomputePolicy::kAttention: return "attention";
    case RecomputePolicy::kSelective: return "selective";
    case RecomputePolicy::kSelectiveOp: return "selective_op";
    case RecomputePolicy::kFull: return "full";
  }
  return "?";
}

std::string_view operator_kind_name(OperatorKind k) {
  switch (k) {
    case OperatorKind::kGemm: return "gemm";
    case OperatorKind::kGroupedGemm: return "grouped-gemm";
    case OperatorKind::kAttentionCore: return "attention";
    case OperatorKind::kNorm: return "norm";
    case OperatorKind::kElementwise: return "elementwise";
    case OperatorKind::kEmbedding: return "embedding";
    case OperatorKind::kLoss: return "loss";
    case OperatorKind::kCommunication: return "communication";
  }
  return "?";
}

std::string_view comm_kind_name(CommKind k) {
  switch (k) {
    case CommKind::kTpAllReduce: return "tp-all-reduce";
    case CommKind::kTpAllGather: return "tp-all-gather";
    case CommKind::kTpReduceScatter: return "tp-reduce-scatter";
    case CommKind::kEpDispatch: return "ep-dispatch";
    case CommKind::kEpCombine: return "ep-combine";
    case CommKind::kCpAllGatherKv: return "cp-all-gather-kv";
  }
  return "?";
}

std::string_view layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::kEmbedding: return "embedding";
    case LayerKind::kDense: return "dense";
    case LayerKind::kMoE: return "moe";
    case LayerKind::kMtp: return "mtp";
    case LayerKind::kHead: return "head";
  }
  return "?";
}

namespace {

template <typename F>
double sum_ops(const std::vector<OpAccount>& ops, F f) {
  double s = 0.0;
  for (const auto& op : ops) s += f(op);
  return s;
}

constexpr double kOutBytes = 2.0;   // GEMM outputs and activations between kernels: BF16
constexpr double kStatBytes = 4.0;  // per-row FP32 statistics (rstd, log-sum-exp)

// Bytes per logit alive at the loss's peak, saved and transient together.
// - Fused (Megatron-LM's vocab_parallel_cross_entropy, as DeepSeek's and NeMo's stacks): the
//   BF16 logits (2) are cast to FP32 (4), softmaxed in place and kept; the backward writes the
//   gradient into that FP32 buffer and casts it to BF16 (2) for the head: 6 either way.
// - Eager (torchtitan 2024: Transformer.forward returns self.output(h).float(), the loss is
//   F.cross_entropy): backward holds the saved FP32 log-softmax (4), nll_loss's zero-filled FP32
//   gradient (4) and log_softmax's FP32 input gradient (4): 12 (the forward peaks at 10).
double loss_working_bytes_per_logit(bool eager) { return eager ? 12.0 : 6.0; }

// The op runs as the kernels of `k` (an eager stack): its bytes are theirs.
void set_kernels(OpAccount& op, KernelList k) {
  op.forward_bytes = k.forward_bytes();
  op.dgrad_bytes = k.dgrad_bytes();
  op.forward_kernels = std::move(k.forward);
  op.dgrad_kernels = std::move(k.dgrad);
}

// Builds the op list of one layer type for one GPU and one micro-batch.
class Builder {
 public:
  Builder(const ModelSpec& m, const AccountRequest& r) : m_(m), r_(r) {
    tokens_ = static_cast<double>(r.micro_batch) * static_cast<double>(r.seq_len) / r.shard.cp;
    norm_tokens_ = r.shard.sp ? tokens_ / r.shard.tp : tokens_;
    moe_tokens_ = tokens_ / r.shard.tp;
    vocab_ = padded_vocab(m.vocab, r.shard.tp);
  }

  double tokens() const { return tokens_; }

  // A linear layer's GEMM (FP8 under DeepSeek's recipe) or a high-precision one.
  // keep_input: the backward needs the input and the policy keeps it.
  OpAccount gemm(std::string name, double rows, std::int64_t n, std::int64_t k, bool linear,
                 bool keep_input, double bias = 0.0) const {
    OpAccount op;
    op.name = std::move(name);
    op.kind = OperatorKind::kGemm;
    op.precision = linear ? r_.recipe.linear_gemm : r_.recipe.other;
    op.gemm = GemmShape{static_cast<std::int64_t>(std::llround(rows)), n, k, 1, rows};
    const double in = precision_bytes(op.precision);
    const double mnk = rows * static_cast<double>(n) * static_cast<double>(k);
    const double mk = rows * k, kn = static_cast<double>(k) * n, mn = rows * n;
    op.forward_flops = op.dgrad_flops = op.wgrad_flops = 2.0 * mnk;
    op.forward_bytes = mk * in + kn * in + mn * kOutBytes;
    op.dgrad_bytes = mn * in + kn * in + mk * kOutBytes;
    op.wgrad_bytes = mk * in + mn * in + kn * r_.recipe.grad_bytes;
    op.params = kn + bias;
    const double input_bytes = linear ? r_.recipe.linear_input_bytes : 2.0;
    if (keep_input && !full()) op.saved_bytes = mk * input_bytes;
    return op;
  }

  // `groups` experts on this GPU, each with tokens_per_group rows (balanced routing).
  OpAccount grouped(std::string name, int groups, double tokens_per_group, std::int64_t n,
                    std::int64_t k, bool keep_input) const {
    OpAccount op = gemm(std::move(name), tokens_per_group * groups, n, k, true, keep_input);
    op.kind = OperatorKind::kGroupedGemm;
    op.gemm.m = static_cast<std::int64_t>(std::llround(tokens_per_group));
    op.gemm.groups = groups;
    op.gemm.tokens_per_group = tokens_per_group;
    // Each expert has its own weights: k x n parameters per group.
    const double kn = static_cast<double>(k) * n;
    const double in = precision_bytes(op.precision);
    op.params = kn * groups;
    op.expert_params = true;
    const double rows = tokens_per_group * groups;
    op.forward_bytes = rows * k * in + op.params * in + rows * n * kOutBytes;
    op.dgrad_bytes = rows * n * in + op.params * in + rows * k * kOutBytes;
    op.wgrad_bytes = rows * k * in + rows * n * in + op.params * r_.recipe.grad_bytes;
    return op;
  }

  OpAccount norm(std::string name, double rows, std::int64_t width) const {
    OpAccount op;
    op.name = std::move(name);
    op.kind = OperatorKind::kNorm;
    op.precision = r_.recipe.other;
    const double e = rows * width;
    op.forward_bytes = 2.0 * e * kOutBytes;  // read x, write y
    op.dgrad_bytes = 3.0 * e * kOutBytes;    // read x and dy, write dx (weight grad fused)
    if (r_.stack.eager_norm) set_kernels(op, eager_rms_norm(rows, static_cast<double>(width)));
    op.params = static_cast<double>(width) * (m_.norm == NormKind::kLayerNorm ? 2 : 1);
    // The norm's input is what every policy keeps (its output is the one recomputed).
    if (!full()) op.saved_bytes = e * kOutBytes + rows * kStatBytes;
    op.forward_recomputed = selective();
    return op;
  }

  // SwiGLU or GeLU between the up and down projections; `width` is the down GEMM's k.
  OpAccount activation(std::string name, double rows, std::int64_t width) const {
    OpAccount op;
    op.name = std::move(name);
    op.kind = OperatorKind::kElementwise;
    op.precision = r_.recipe.other;
    const double in = rows * width * (m_.mlp == MlpKind::kSwiGLU ? 2 : 1);
    const double out = rows * width;
    op.forward_bytes = (in + out) * kOutBytes;
    op.dgrad_bytes = (2 * in + out) * kOutBytes;
    if (r_.stack.eager_activation) {
      set_kernels(op, eager_activation(rows, static_cast<double>(width), m_.mlp == MlpKind::kSwiGLU));
    }
    // DeepSeek-V3 s3.3.3: SwiGLU inputs cached in FP8 under its recipe.
    if (!full()) op.saved_bytes = in * r_.recipe.linear_input_bytes;
    op.forward_recomputed = selective();
    return op;
  }

  // Rotary embedding of Q and K: one kernel each way, or the eager stack's list.
  OpAccount rope(const std::string& name, double rows, double q_width, double k_width) const {
    OpAccount op = rotary(name, rows, q_width, k_width);
    if (r_.stack.eager_rotary) set_kernels(op, eager_rotary(rows, q_width, k_width));
    return op;
  }

  bool full() const { return r_.recompute == RecomputePolicy::kFull; }
  bool selective() const { return r_.recompute == RecomputePolicy::kSelective; }
  bool none() const { return r_.recompute == RecomputePolicy::kNone; }
  // GEMM inputs kept for the backward: with no recomputation and with Megatron's selective
  // policy, which recomputes only the attention core (Korthikanti et al. 2022 s5, Table 2);
  // DeepSeek's selective policy recomputes the norms and SwiGLU that produce them.
  bool keep_linear_inputs() const {
    return none() || r_.recompute == RecomputePolicy::kAttention || op_sac();
  }
  // torchtitan's op-level policy: layers are built as without recomputation, then
  // apply_op_sac says what is kept and what recomputed.
  bool op_sac() const { return r_.recompute == RecomputePolicy::kSelectiveOp; }

  int tp() const { return r_.shard.tp; }

  // TP communication of a column-parallel GEMM's input (gather or backward all-reduce). Under
  // sequence parallelism the input kept for the backward is this GPU's 1/tp of the sequence,
  // gathered again when the weight gradient needs it (Korthikanti et al. 2022 s4.2.2).
  void column_comm(OpAccount& op) const {
    if (tp() == 1) return;
    if (r_.shard.sp) op.saved_bytes /= tp();
    const double bytes = tokens_ * m_.hidden * kOutBytes;
    op.comms.push_back(r_.shard.sp ? CommNeed{CommKind::kTpAllGather, tp(), bytes, bytes, tokens_, m_.hidden}
                                   : CommNeed{CommKind::kTpAllReduce, tp(), 0.0, bytes, tokens_, m_.hidden});
  }
  // TP communication of a row-parallel GEMM's output (reduce or scatter).
  void row_comm(OpAccount& op) const {
    if (tp() == 1) return;
    const double bytes = tokens_ * m_.hidden * kOutBytes;
    op.comms.push_back(r_.shard.sp ? CommNeed{CommKind::kTpReduceScatter, tp(), bytes, bytes, tokens_, m_.hidden}
                                   : CommNeed{CommKind::kTpAllReduce, tp(), bytes, 0.0, tokens_, m_.hidden});
  }

  void attention(std::vector<OpAccount>& ops, const std::string& p) const {
    const double T = tokens_;
    const int heads = m_.heads / tp();
    const double bias = m_.linear_bias ? 1.0 : 0.0;
    ops.push_back(norm(p + "attn_norm", norm_tokens_, m_.hidden));
    int qk_dim = m_.head_dim, v_dim = m_.head_dim;
    double kv_width = 0.0;  // K and V elements per token on this GPU
    if (m_.attention == AttentionKind::kMLA) {
      const auto& d = m_.mla;
      qk_dim = d.qk_nope_head_dim + d.qk_rope_head_dim;
      v_dim = d.v_head_dim;
      // Down-projections are replicated across TP; their inputs are norm outputs, which the
      // selective policy recomputes.
      if (d.q_lora_rank > 0) {
        OpAccount qa = gemm(p + "attn.q_down", T, d.q_lora_rank, m_.hidden, true, keep_linear_inputs());
        column_comm(qa);
        ops.push_back(std::move(qa));
        ops.push_back(norm(p + "attn.q_norm", T, d.q_lora_rank));
        OpAccount qb = gemm(p + "attn.q_up", T, std::int64_t{heads} * qk_dim, d.q_lora_rank, true,
                            keep_linear_inputs());
        if (selective()) qb.recompute_flops = qb.forward_flops;
        qb.forward_recomputed = selective();
        ops.push_back(std::move(qb));
      } else {
        OpAccount q = gemm(p + "attn.q", T, std::int64_t{heads} * qk_dim, m_.hidden, true, keep_linear_inputs());
        column_comm(q);
        ops.push_back(std::move(q));
      }
      OpAccount kva = gemm(p + "attn.kv_down", T, d.kv_lora_rank + d.qk_rope_head_dim, m_.hidden,
                           true, keep_linear_inputs());
      ops.push_back(std::move(kva));
      OpAccount kvn = norm(p + "attn.kv_norm", T, d.kv_lora_rank);
      // The decoupled RoPE key (d_h^R per token) is kept beside the normalized latent.
      if (!full()) kvn.saved_bytes += T * d.qk_rope_head_dim * kOutBytes;
      ops.push_back(std::move(kvn));
      OpAccount kvb = gemm(p + "attn.kv_up", T, std::int64_t{heads} * (d.qk_nope_head_dim + v_dim),
                           d.kv_lora_rank, true, keep_linear_inputs());
      if (selective()) kvb.recompute_flops = kvb.forward_flops;
      kvb.forward_recomputed = selective();
      ops.push_back(std::move(kvb));
      // MLA's decoupled RoPE: the rope part of every query head and the one shared rope key.
      ops.push_back(rope(p + "attn.rotary", T, static_cast<double>(heads) * d.qk_rope_head_dim,
                         d.qk_rope_head_dim));
      kv_width = static_cast<double>(heads) * (qk_dim + v_dim);
    } else {
      const int kv_heads = std::max(1, m_.kv_heads / tp());
      const std::int64_t n = std::int64_t{heads} * m_.head_dim + 2LL * kv_heads * m_.head_dim;
      const double qkv_bias = (m_.linear_bias || m_.qkv_bias) ? static_cast<double>(n) : 0.0;
      OpAccount qkv = gemm(p + "attn.qkv", T, n, m_.hidden, true, keep_linear_inputs(), qkv_bias);
      column_comm(qkv);
      ops.push_back(std::move(qkv));
      kv_width = 2.0 * kv_heads * m_.head_dim;
      if (!m_.learned_positions) {
        ops.push_back(rope(p + "attn.rotary", T, static_cast<double>(heads) * m_.head_dim,
                           static_cast<double>(kv_heads) * m_.head_dim));
      }
    }
    attention_core(ops, p, heads, qk_dim, v_dim, kv_width);
    // The output projection's input (the attention output) is kept: FP8 (E5M6 in DeepSeek's
    // recipe, s3.3.3, counted as 1 byte) or BF16.
    OpAccount out = gemm(p + "attn.out", T, m_.hidden, std::int64_t{heads} * v_dim, true, true,
                         bias * m_.hidden);
    row_comm(out);
    ops.push_back(std::move(out));
    ops.push_back(residual_add(p + "attn.residual", norm_tokens_, m_.hidden, r_.stack));
  }

  void attention_core(std::vector<OpAccount>& ops, const std::string& p, int heads, int qk_dim,
                      int v_dim, double kv_width) const {
    const double T = tokens_;
    if (!r_.stack.flash_attention) {
      unfused_core(ops, p, heads, qk_dim, v_dim, kv_width);
      return;
    }
    // The attention core (FlashAttention): BF16 under every recipe.
    OpAccount core;
    core.name = p + "attn.core";
    core.kind = OperatorKind::kAttentionCore;
    core.precision = r_.recipe.other;
    const double s = static_cast<double>(r_.seq_len);
    const double pairs_per_seq = r_.causal ? s * (s + 1) / 2 : s * s;
    const double pairs = static_cast<double>(r_.micro_batch) * pairs_per_seq / r_.shard.cp;
    core.forward_flops = 2.0 * pairs * heads * (qk_dim + v_dim);
    core.dgrad_flops = 2.0 * core.forward_flops;
    core.recompute_flops = 2.0 * pairs * heads * qk_dim;  // S = Q K^T again in the backward
    const double q = T * heads * qk_dim, o = T * heads * v_dim, lse = T * heads;
    const double kv_read = T * r_.shard.cp * kv_width;  // K and V of the whole sequence
    core.forward_bytes = (q + kv_read + o) * kOutBytes + lse * kStatBytes;
    core.dgrad_bytes = (2 * q + 2 * kv_read + 2 * o) * kOutBytes + lse * kStatBytes;
    if (op_sac()) {
      core.saved_bytes = o * kOutBytes + lse * kStatBytes;  // SDPA's outputs (apply_op_sac)
    } else if (!full()) {
      core.saved_bytes = lse * kStatBytes;  // O is kept as attn.out's input
      const bool qkv_recomputed = selective() && m_.attention == AttentionKind::kMLA;
      if (!qkv_recomputed) core.saved_bytes += (q + T * kv_width) * kOutBytes;
    }
    if (r_.shard.cp > 1) {
      const double bytes = T * kv_width * kOutBytes;
      core.comms.push_back({CommKind::kCpAllGatherKv, r_.shard.cp, bytes, bytes, T, 0});
    }
    ops.push_back(std::move(core));
  }

  // Scores materialized: every (q, k) pair, probabilities kept unless recomputed; Q, K and V
  // kept as with the fused kernel.
  void unfused_core(std::vector<OpAccount>& ops, const std::string& p, int heads, int qk_dim,
                    int v_dim, double kv_width) const {
    const double T = tokens_;
    const double s = static_cast<double>(r_.seq_len);
    const bool recomputed = full() || r_.recompute == RecomputePolicy::kAttention;
    auto core = unfused_attention(p, static_cast<double>(r_.micro_batch), s / r_.shard.cp, s, heads,
                                  qk_dim, v_dim, r_.recipe.other, r_.stack, !recomputed);
    for (OpAccount& op : core) {
      op.forward_recomputed = recomputed;
      if (recomputed) op.recompute_flops = op.forward_flops;
    }
    if (!full()) core.front().saved_bytes += (T * heads * qk_dim + T * kv_width) * kOutBytes;
    if (r_.shard.cp > 1) {
      const double bytes = T * kv_width * kOutBytes;
      core.front().comms.push_back({CommKind::kCpAllGatherKv, r_.shard.cp, bytes, bytes, T, 0});
    }
    for (OpAccount& op : core) ops.push_back(std::move(op));
  }

  void dense_mlp(std::vector<OpAccount>& ops, const std::string& p, int ffn) const {
    const double T = tokens_;
    const double bias = m_.linear_bias ? 1.0 : 0.0;
    ops.push_back(norm(p + "mlp_norm", norm_tokens_, m_.hidden));
    const int f = ffn / tp();
    const std::int64_t up_n = std::int64_t{f} * (m_.mlp == MlpKind::kSwiGLU ? 2 : 1);
    OpAccount up = gemm(p + "mlp.up_gate", T, up_n, m_.hidden, true, keep_linear_inputs(), bias * up_n);
    if (m_.mlp == MlpKind::kGeLU) up.name = p + "mlp.up";
    column_comm(up);
    ops.push_back(std::move(up));
    ops.push_back(activation(p + "mlp.act", T, f));
    OpAccount down = gemm(p + "mlp.down", T, m_.hidden, f, true, keep_linear_inputs(), bias * m_.hidden);
    row_comm(down);
    ops.push_back(std::move(down));
    ops.push_back(residual_add(p + "mlp.residual", norm_tokens_, m_.hidden, r_.stack));
  }

  void moe(std::vector<OpAccount>& ops, const std::string& p) const {
    const auto& e = m_.moe;
    const double T = moe_tokens_;
    const int ep = r_.shard.ep;
    ops.push_back(norm(p + "moe_norm", norm_tokens_, m_.hidden));
    // Gating in BF16 (DeepSeek-V3 s3.3.1); it keeps the affinity scores for its backward.
    OpAccount router = gemm(p + "moe.router", T, e.routed_experts, m_.hidden, false, keep_linear_inputs());
    if (!full()) router.saved_bytes += T * e.routed_experts * kStatBytes;
    ops.push_back(std::move(router));
    ops.push_back(moe_route(p + "moe.route", T, e.routed_experts));
    const double copies = T * e.top_k;  // token copies this GPU sends
    // ... and, on the busiest rank, receives: expert_imbalance x the balanced share.
    const double received = copies * r_.expert_imbalance;
    OpAccount dispatch;
    dispatch.name = p + "moe.dispatch";
    dispatch.kind = OperatorKind::kCommunication;
    dispatch.precision = r_.recipe.linear_gemm;
    dispatch.comms.push_back({CommKind::kEpDispatch, ep, received * m_.hidden * r_.recipe.dispatch_bytes,
                              received * m_.hidden * r_.recipe.combine_bytes, received, m_.hidden});
    ops.push_back(std::move(dispatch));
    const int local = e.routed_experts / ep;
    const double per_expert = received * ep / e.routed_experts;
    const int f = e.expert_ffn;
    const std::int64_t up_n = std::int64_t{f} * (m_.mlp == MlpKind::kSwiGLU ? 2 : 1);
    ops.push_back(moe_permute(p + "moe.permute", copies, m_.hidden, r_.recipe.dispatch_bytes));
    // The dispatched copies are kept (recomputing them would repeat the all-to-all).
    ops.push_back(grouped(p + "moe.experts.up_gate", local, per_expert, up_n, m_.hidden, true));
    ops.push_back(activation(p + "moe.experts.act", received, f));
    // The routing weight is applied to the expert's input of the down projection, so its
    // gradient comes from the recomputed SwiGLU output and the down dgrad; nothing extra kept.
    ops.push_back(grouped(p + "moe.experts.down", local, per_expert, m_.hidden, f, keep_linear_inputs()));
    OpAccount combine;
    combine.name = p + "moe.combine";
    combine.kind = OperatorKind::kCommunication;
    combine.precision = r_.recipe.other;
    combine.comms.push_back({CommKind::kEpCombine, ep, received * m_.hidden * r_.recipe.combine_bytes,
                             received * m_.hidden * r_.recipe.combine_bytes, received, m_.hidden});
    ops.push_back(std::move(combine));
    ops.push_back(moe_unpermute(p + "moe.unpermute", T, copies, m_.hidden));
    if (e.shared_experts > 0) {
      const std::int64_t sf = std::int64_t{e.shared_experts} * f;
      const std::int64_t sup = sf * (m_.mlp == MlpKind::kSwiGLU ? 2 : 1);
      ops.push_back(gemm(p + "moe.shared.up_gate", T, sup, m_.hidden, true, keep_linear_inputs()));
      ops.push_back(activation(p + "moe.shared.act", T, sf));
      ops.push_back(gemm(p + "moe.shared.down", T, m_.hidden, sf, true, keep_linear_inputs()));
    }
    ops.push_back(residual_add(p + "moe.residual", norm_tokens_, m_.hidden, r_.stack));
  }

  // DeepSeek-V3 report s3.5.2: each FP8 GEMM operand is quantized by a pass of its own (read
  // BF16 from HBM, write FP8 back, read again by the GEMM): the input in the forward, the
  // output gradient and the transposed input in the backward.
  void add_fp8_quantize(std::vector<OpAccount>& ops) const {
    std::vector<OpAccount> out;
    out.reserve(ops.size() * 2);
    for (OpAccount& op : ops) {
      const bool gemm_op = op.kind == OperatorKind::kGemm || op.kind == OperatorKind::kGroupedGemm;
      if (gemm_op && op.precision == Precision::kFP8 && !op.gemm.batched) {
        const double rows = op.gemm.tokens_per_group * op.gemm.groups;
        OpAccount q = fp8_quantize(op.name + ".quantize", rows * static_cast<double>(op.gemm.k),
                                   rows * static_cast<double>(op.gemm.n));
        q.forward_recomputed = op.forward_recomputed;
        out.push_back(std::move(q));
      }
      out.push_back(std::move(op));
    }
    ops = std::move(out);
  }

  // The layer's FP8 quantization passes; under full recomputation, keep each layer's input
  // only and recompute its whole forward.
  // `block`: a transformer block (the head is outside torchtitan's checkpointed blocks).
  void finish_layer(std::vector<OpAccount>& ops, bool block = true) const {
    add_fp8_quantize(ops);
    if (op_sac() && block) apply_op_sac(ops);
    if (!full() || ops.empty()) return;
    for (auto& op : ops) {
      op.recompute_flops = op.forward_flops;
      op.forward_recomputed = true;
      op.saved_bytes = 0.0;  // dropout masks too: the recomputed forward draws them again
    }
    // The layer's input, this GPU's 1/tp of the sequence under sequence parallelism
    // (Korthikanti et al. 2022 Table 2: 2sbh, or 2sbh/t with SP).
    ops.front().saved_bytes = tokens_ * m_.hidden * kOutBytes / (r_.shard.sp ? tp() : 1);
  }

  // The separate matmuls (aten.mm) torchtitan runs for one of our GEMMs, their output widths in
  // the order they run: the fused QKV GEMM is wq, wk, wv (Attention.forward); SwiGLU's up_gate is
  // w1 then w3 (FeedForward.forward: w2(F.silu(w1(x)) * w3(x))); any other GEMM is one matmul.
  std::vector<double> mm_parts(const OpAccount& op) const {
    const double n = static_cast<double>(op.gemm.n);
    const auto ends_with = [&](std::string_view suffix) {
      return op.name.size() >= suffix.size() &&
             op.name.compare(op.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with("attn.qkv")) {
      const double kv = static_cast<double>(std::max(1, m_.kv_heads / tp())) * m_.head_dim;
      return {n - 2.0 * kv, kv, kv};
    }
    if (ends_with("up_gate") && m_.mlp == MlpKind::kSwiGLU) return {n / 2.0, n / 2.0};
    return {n};
  }

  // torchtitan's op-level selective activation checkpointing (torchtitan parallelize code,
  // _apply_ac_to_transformer_block, selective_ac_option "op"; 2024-2025): inside each
  // checkpointed block the outputs of the save list (aten.mm, SDPA, TP's reduce-scatter) are
  // kept "except every second mm", the matmuls counted afresh for each block's forward; every
  // other op is recomputed from the block's input in the backward. Kept: the block input, the
  // odd matmuls' outputs, SDPA's output and log-sum-exp (set in attention_core). Recomputed:
  // the even matmuls (priced as that share of the GEMM's forward, their communication not
  // repeated: the reduce-scatter is on the save list) and every memory-bound op.
  void apply_op_sac(std::vector<OpAccount>& ops) const {
    int mm = 0;
    for (OpAccount& op : ops) {
      const bool matmul = (op.kind == OperatorKind::kGemm || op.kind == OperatorKind::kGroupedGemm) &&
                          !op.gemm.batched;
      if (matmul) {
        double kept = 0.0, redone = 0.0;
        for (double w : mm_parts(op)) (++mm % 2 == 0 ? redone : kept) += w;
        const double n = static_cast<double>(op.gemm.n);
        op.saved_bytes = op.gemm.tokens_per_group * op.gemm.groups * kept * kOutBytes;
        op.recompute_flops = op.forward_flops * redone / n;
        op.forward_recomputed = false;
      } else if (op.kind == OperatorKind::kNorm || op.kind == OperatorKind::kElementwise) {
        op.saved_bytes = 0.0;
        op.forward_recomputed = true;
      }
    }
    if (!ops.empty()) ops.front().saved_bytes += norm_tokens_ * m_.hidden * kOutBytes;
  }

  LayerAccount embedding() const {
    LayerAccount l{LayerKind::kEmbedding, 1, {}};
    OpAccount op;
    op.name = "embedding";
    op.kind = OperatorKind::kEmbedding;
    op.precision = r_.recipe.other;
    const double T = tokens_;
    op.params = static_cast<double>(vocab_) * m_.hidden / tp();
    if (m_.learned_positions) op.params += static_cast<double>(m_.max_seq_len) * m_.hidden;
    op.forward_bytes = 2.0 * T * m_.hidden * kOutBytes;  // gather rows, write activations
    op.wgrad_bytes = 2.0 * T * m_.hidden * kOutBytes;    // scatter-add the gradient rows
    op.saved_bytes = T * 4.0;                            // token ids
    if (tp() > 1) {
      // Vocabulary-parallel embedding: partial rows summed over TP.
      op.comms.push_back({r_.shard.sp ? CommKind::kTpReduceScatter : CommKind::kTpAllReduce, tp(),
                          T * m_.hidden * kOutBytes, 0.0, T, m_.hidden});
    }
    l.ops.push_back(std::move(op));
    return l;
  }

  // Final norm, output head and loss. `shared_head`: the head's weights belong to another
  // layer (tied embeddings, or an MTP module sharing the main head).
  void head_ops(std::vector<OpAccount>& ops, const std::string& p, bool shared_head) const {
    const double T = tokens_;
    ops.push_back(norm(p + "final_norm", norm_tokens_, m_.hidden));
    // BF16 output head (DeepSeek-V3 s3.3.1), vocabulary-parallel over TP.
    OpAccount head = gemm(p + "head", T, vocab_ / tp(), m_.hidden, false, !full());
    if (shared_head) head.params = 0.0;
    column_comm(head);
    ops.push_back(std::move(head));
    OpAccount loss;
    loss.name = p + "loss";
    loss.kind = OperatorKind::kLoss;
    loss.precision = Precision::kFP32;
    const double logits = T * static_cast<double>(vocab_) / tp();
    loss.forward_bytes = logits * kOutBytes + T * kStatBytes;
    loss.dgrad_bytes = 2.0 * logits * kOutBytes;
    if (r_.stack.eager_loss) set_kernels(loss, eager_loss(T, static_cast<double>(vocab_) / tp()));
    // No recomputation and Megatron's selective: the BF16 logits are kept; DeepSeek's selective
    // and full use a fused loss that recomputes them from the head's input and keeps the
    // log-sum-exp only.
    loss.saved_bytes = keep_linear_inputs() ? logits * kOutBytes : T * kStatBytes;
    if (full()) loss.saved_bytes = 0.0;
    loss.working_bytes =
        std::max(0.0, logits * loss_working_bytes_per_logit(r_.stack.eager_loss) - loss.saved_bytes);
    ops.push_back(std::move(loss));
  }

 private:
  const ModelSpec& m_;
  const AccountRequest& r_;
  double tokens_ = 0.0;
  double norm_tokens_ = 0.0;
  double moe_tokens_ = 0.0;
  std::int64_t vocab_ = 0;  // padded_vocab: a multiple of tp
};

void check_sharding(const ModelSpec& m, const ShardPlan& s) {
  if (s.tp < 1 || s.cp < 1 || s.ep < 1) {
    throw UserError(fmt::format("tp = {}, cp = {}, ep = {}: each must be at least 1", s.tp, s.cp, s.ep));
  }
  if (m.heads % s.tp != 0) {
    throw UserError(fmt::format("tp = {}: must divide the model's {} attention heads", s.tp, m.heads));
  }
  if (m.attention != AttentionKind::kMLA && m.kv_heads % s.tp != 0 && s.tp % m.kv_heads != 0) {
    throw UserError(fmt::format("tp = {}: must divide, or be a multiple of, the model's {} KV heads",
                                s.tp, m.kv_heads));
  }
  if (m.ffn > 0 && m.ffn % s.tp != 0) {
    throw UserError(fmt::format("tp = {}: must divide the FFN size {}", s.tp, m.ffn));
  }
  if (m.moe.enabled() && m.moe.routed_experts % s.ep != 0) {
    throw UserError(fmt::format("ep = {}: must divide the model's {} routed experts", s.ep,
                                m.moe.routed_experts));
  }
  if (!m.moe.enabled() && s.ep != 1) {
    throw UserError(fmt::format("ep = {}: the model has no experts; use ep = 1", s.ep));
  }
}

}  // namespace

double LayerAccount::forward_flops() const {
  return sum_ops(ops, [](const OpAccount& o) { return o.forward_flops; });
}
double LayerAccount::train_flops() const {
  return sum_ops(ops, [](const OpAccount& o) { return o.train_flops(); });
}
double LayerAccount::params() const {
  return sum_ops(ops, [](const OpAccount& o) { return o.params; });
}
double LayerAccount::expert_params() const {
  return sum_ops(ops, [](const OpAccount& o) { return o.expert_params ? o.params : 0.0; });
}
double LayerAccount::working_bytes() const {
  double w = 0.0;
  for (const OpAccount& o : ops) w = std::max(w, o.working_bytes);
  return w;
}

double LayerAccount::saved_bytes() const {
  return sum_ops(ops, [](const OpAccount& o) { return o.saved_bytes; });
}

const LayerAccount* ModelAccount::find(LayerKind k) const {
  for (const auto& l : layers) {
    if (l.kind == k) return &l;
  }
  return nullptr;
}

ModelAccount account_model(const ModelSpec& m, const AccountRequest& r) {
  check_sharding(m, r.shard);
  if (r.seq_len < 1 || r.micro_batch < 1) {
    throw UserError(fmt::format("seq_len = {}, micro_batch = {}: both must be at least 1",
                                r.seq_len, r.micro_batch));
  }
  if (r.seq_len % r.shard.cp != 0) {
    throw UserError(fmt::format("cp = {}: must divide the sequence length {}", r.shard.cp, r.seq_len));
  }
  Builder b(m, r);
  ModelAccount a;
  a.request = r;
  a.tokens = b.tokens();
  a.layers.push_back(b.embedding());
  if (m.dense_layers() > 0) {
    LayerAccount l{LayerKind::kDense, m.dense_layers(), {}};
    b.attention(l.ops, "");
    b.dense_mlp(l.ops, "", m.ffn);
    b.finish_layer(l.ops);
    a.layers.push_back(std::move(l));
  }
  if (m.moe_layers() > 0) {
    LayerAccount l{LayerKind::kMoE, m.moe_layers(), {}};
    b.attention(l.ops, "");
    b.moe(l.ops, "");
    b.finish_layer(l.ops);
    a.layers.push_back(std::move(l));
  }
  if (m.mtp_modules > 0) {
    // DeepSeek-V3 s2.2: RMSNorm of the previous depth's hidden state and of the next token's
    // embedding, a 2d -> d projection, one transformer block, and the shared head.
    LayerAccount l{LayerKind::kMtp, m.mtp_modules, {}};
    const double T = b.tokens();
    l.ops.push_back(b.norm("mtp.hidden_norm", T, m.hidden));
    l.ops.push_back(b.norm("mtp.embed_norm", T, m.hidden));
    l.ops.push_back(b.gemm("mtp.proj", T, m.hidden, 2LL * m.hidden, true, true));
    b.attention(l.ops, "mtp.");
    if (m.moe.enabled()) b.moe(l.ops, "mtp."); else b.dense_mlp(l.ops, "mtp.", m.ffn);
    b.head_ops(l.ops, "mtp.", true);
    b.finish_layer(l.ops);
    a.layers.push_back(std::move(l));
  }
  LayerAccount head{LayerKind::kHead, 1, {}};
  b.head_ops(head.ops, "", m.tied_embeddings);
  b.finish_layer(head.ops, false);
  a.layers.push_back(std::move(head));
  return a;
}

ModelTotals model_totals(const ModelSpec& m, std::int64_t seq_len, bool causal) {
  AccountRequest r;
  r.seq_len = seq_len;
  r.micro_batch = 1;
  r.causal = causal;
  r.recipe = make_recipe(RecipeKind::kBF16);
  const ModelAccount a = account_model(m, r);
  ModelTotals t;
  for (const auto& l : a.layers) {
    const double params = l.params() * l.count;
    double active = params;
    if (l.kind == LayerKind::kMoE) {
      active = (l.params() - l.expert_params() +
                l.expert_params() * m.moe.top_k / m.moe.routed_experts) * l.count;
    }
    switch (l.kind) {
      case LayerKind::kEmbedding: t.embedding_params = params; break;
      case LayerKind::kHead: t.head_params = params; break;
      case LayerKind::kMtp: t.mtp_params = params; break;
      default: break;
    }
    if (l.kind != LayerKind::kMtp) {
      t.total_params += params;
      t.active_params += active;
    }
    t.forward_flops_per_token += l.forward_flops() * l.count / a.tokens;
    t.train_flops_per_token += l.train_flops() * l.count / a.tokens;
  }
  const double per_layer = m.attention == AttentionKind::kMLA
                               ? static_cast<double>(m.mla.kv_lora_rank + m.mla.qk_rope_head_dim)
                               : 2.0 * m.kv_heads * m.head_dim;
  t.kv_cache_bytes_per_token = per_layer * 2.0 * m.layers;  // BF16
  return t;
}

}  // namespace llmsim
