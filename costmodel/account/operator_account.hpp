#pragma once
// The per-operator account: for one micro-batch on one GPU, every operator of each layer type
// (embedding, dense layer, MoE layer, MTP module, head) with its FLOPs and bytes in the
// forward, input-gradient (dgrad) and weight-gradient (wgrad) passes, its GEMM shape, the
// precision it runs in under the recipe, the activation bytes it keeps for the backward under
// the recomputation policy, and the communication it needs under TP / SP / CP / EP.
// A pure function of (model, sharding, recipe, recomputation, sequence length, micro-batch).
//
// Conventions:
// - FLOPs are matmul FLOPs (GEMMs and the attention core; 2 per multiply-add), the usual MFU
//   convention (PaLM, Chowdhery et al. 2022, appendix B). Norms, activations, softmax and
//   the loss are memory-bound: their FLOPs are 0 here and their bytes are counted.
// - The attention core over a causal mask counts the s(s+1)/2 (query, key) pairs of the
//   triangle per sequence; `causal = false` counts all s^2.
// - The backward of the attention core is two times its forward (dS = dO V^T, dV = P^T dO,
//   dQ = dS K, dK = dS^T Q); FlashAttention's recomputation of S is in recompute_flops.
// - Bytes are HBM bytes read plus written by the kernel, assuming each operand is read once.
// - Communication bytes are the size of the tensor one GPU contributes or receives (not
//   multiplied by the algorithm's 2(n-1)/n factor: the network model applies that).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "costmodel/describe/model_spec.hpp"
#include "costmodel/describe/precision.hpp"

namespace llmsim {

// What the backward recomputes instead of keeping.
//   none:      keep every activation the backward reads.
//   attention: Megatron's selective recomputation (Korthikanti et al. 2022, arXiv:2205.05198
//              s4.2): the attention core (scores, softmax, dropout, context) is recomputed; with
//              FlashAttention that is what the fused kernel does anyway.
//   selective: DeepSeek-V3 report s3.2.3 and s3.3.3: recompute all RMSNorm outputs, the MLA
//              up-projections (so Q, K, V of the attention core) and the SwiGLU output.
//   full:      keep only each layer's input and recompute the whole layer's forward, with its
//              tensor-parallel communication.
// Activation recomputation, in the order of how much the backward recomputes:
// kNone; kAttention, Megatron-LM's selective (the attention core; Korthikanti et al. 2022);
// kSelective, DeepSeek-V3's (norms, SwiGLU and MLA's up-projections; V3 report s3.2.3);
// kSelectiveOp, torchtitan's op-level selective checkpointing (selective_ac_option "op": the
// outputs of every other matmul and of SDPA are kept, the rest recomputed; see
// operator_account.cpp); kFull, each layer's input only.
enum class RecomputePolicy { kNone, kAttention, kSelective, kSelectiveOp, kFull };
std::string_view recompute_policy_name(RecomputePolicy p);

// The parts of the parallel plan that shard one layer.
struct ShardPlan {
  int tp = 1;         // tensor parallel: heads and FFN columns split tp ways
  bool sp = false;    // sequence parallel (with TP): norms work on 1/tp of the tokens
  int cp = 1;         // context parallel: each GPU holds seq_len / cp tokens of each sequence
  int ep = 1;         // expert parallel: routed experts / ep per GPU
};

// How the training stack runs the kernels around its GEMMs: what real stacks differ in.
//   flash_attention: the attention core is one fused kernel (FlashAttention-2/3, cuDNN); false:
//     the scores are materialized (Megatron before FlashAttention): batched QK^T, a fused
//     scale-mask-softmax, dropout on the probabilities, batched P V, over every (q, k) pair.
//   flash2: that fused kernel is FlashAttention-2 (timed by the profile's FA2 classes), not
//     the GPU's best (FlashAttention-3 / cuDNN on Hopper).
//   attention_dropout, hidden_dropout: probabilities; hidden dropout is fused with the bias
//     and the residual add (Megatron's bias-dropout-add), writing a 1-byte mask.
//   fused_residual_norm: the residual add is fused into the next norm (Transformer Engine,
//     Apex); false: a kernel of its own.
//   eager_norm, eager_activation, eager_rotary, eager_loss: the op runs as the several kernels a
//     PyTorch-eager model launches (eager_kernels.hpp: RMSNorm in FP32 Python ops, silu then
//     mul, rotary through FP32 complex numbers, log_softmax + nll_loss over FP32 logits); false:
//     one fused memory pass each way (Apex / Transformer Engine / Triton kernels, torch.compile).
struct KernelStack {
  bool flash_attention = true;
  bool flash2 = false;
  double attention_dropout = 0.0;
  double hidden_dropout = 0.0;
  bool fused_residual_norm = false;
  bool eager_norm = false;
  bool eager_activation = false;
  bool eager_rotary = false;
  bool eager_loss = false;
};

// training.overlap: which communication the stack hides behind computation.
struct CommOverlap {
  // Tensor-parallel gathers and reductions run under their operator's own GEMM (Transformer
  // Engine's userbuffers, Megatron's --tp-comm-overlap): only their excess is exposed.
  bool tp_comm = false;
  // Data-parallel gradient reduction in buckets, each started when the last backward pass
  // over its layers has produced it (PyTorch DDP / FSDP, Megatron --overlap-grad-reduce).
  bool grad_reduce = false;
  // ZeRO's gather of updated weights in buckets, each awaited by the next step's first
  // forward over its layers (FSDP prefetch, Megatron --overlap-param-gather).
  bool param_gather = false;
};

struct AccountRequest {
  ShardPlan shard;
  KernelStack stack;
  PrecisionRecipe recipe;
  RecomputePolicy recompute = RecomputePolicy::kSelective;
  std::int64_t seq_len = 4096;
  std::int64_t micro_batch = 1;  // sequences
  bool causal = true;
  // The busiest expert-parallel rank's routed token copies over the mean (training.
  // expert_imbalance): its grouped GEMMs, activation and share of each all-to-all pace the
  // layer. 1: balanced routing.
  double expert_imbalance = 1.0;
};

enum class OperatorKind { kGemm, kGroupedGemm, kAttentionCore, kNorm, kElementwise, kEmbedding, kLoss,
                    kCommunication };
std::string_view operator_kind_name(OperatorKind k);

enum class CommKind {
  kTpAllReduce,      // after a row-parallel GEMM (no SP), or of the input gradient
  kTpAllGather,      // SP: gather the sequence before a column-parallel GEMM
  kTpReduceScatter,  // SP: scatter after a row-parallel GEMM
  kEpDispatch,       // MoE: send each token to its top-k experts' GPUs
  kEpCombine,        // MoE: bring expert outputs back
  kCpAllGatherKv,    // CP: gather the other ranks' keys and values
};
std::string_view comm_kind_name(CommKind k);

struct CommNeed {
  CommKind kind = CommKind::kTpAllReduce;
  int group_size = 1;           // GPUs in the collective (tp, ep or cp)
  double forward_bytes = 0.0;   // per GPU, in the forward pass
  double backward_bytes = 0.0;  // per GPU, in the backward pass
  double tokens = 0.0;          // EP: token copies sent (tokens x top_k); else tokens covered
  int hidden = 0;               // EP: elements per token copy
};

// A GEMM [m x k] x [k x n] in the forward; a grouped GEMM is `groups` of them with
// tokens_per_group rows each (balanced routing). dgrad: [m x n] x [n x k]; wgrad: [k x m] x [m x n].
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  int groups = 1;
  double tokens_per_group = 0.0;  // grouped GEMMs: the exact (possibly fractional) m
  // `groups` equal GEMMs in one batched kernel (the unfused attention's QK^T and P V), not
  // experts with weights of their own: timed as one GEMM of groups x m rows.
  bool batched = false;
};

struct OpAccount {
  std::string name;  // "attn.q_down", "moe.experts.up_gate", ...
  OperatorKind kind = OperatorKind::kElementwise;
  Precision precision = Precision::kBF16;
  GemmShape gemm;    // GEMMs, grouped GEMMs and the head only
  double forward_flops = 0.0;
  double dgrad_flops = 0.0;
  double wgrad_flops = 0.0;
  double forward_bytes = 0.0;
  double dgrad_bytes = 0.0;
  double wgrad_bytes = 0.0;
  // Memory-bound ops run as several kernels (KernelStack's eager modes): the bytes of each kernel
  // of the pass, summing to forward_bytes / dgrad_bytes. Empty: one kernel.
  std::vector<double> forward_kernels;
  std::vector<double> dgrad_kernels;
  double params = 0.0;          // parameters this GPU holds for the op
  bool expert_params = false;   // routed-expert parameters (sharded over EP)
  double saved_bytes = 0.0;     // activation bytes kept for the backward, per micro-batch
  // Bytes alive only while the op's forward or backward runs, beyond saved_bytes (the loss's
  // FP32 logits and their gradient): a transient peak, not kept across micro-batches.
  double working_bytes = 0.0;
  double recompute_flops = 0.0; // forward FLOPs redone in the backward under the policy
  // The op's whole forward (kernel and its forward communication) runs again before its
  // backward (full recomputation, and the ops a selective policy recomputes).
  bool forward_recomputed = false;
  std::vector<CommNeed> comms;

  double train_flops() const { return forward_flops + dgrad_flops + wgrad_flops; }
};

enum class LayerKind { kEmbedding, kDense, kMoE, kMtp, kHead };
std::string_view layer_kind_name(LayerKind k);

struct LayerAccount {
  LayerKind kind = LayerKind::kDense;
  int count = 0;  // layers of this kind in the model
  std::vector<OpAccount> ops;

  double forward_flops() const;
  double train_flops() const;
  double params() const;
  double expert_params() const;
  double saved_bytes() const;
  double working_bytes() const;  // the largest of its ops' working_bytes
};

struct ModelAccount {
  AccountRequest request;
  double tokens = 0.0;  // tokens of the micro-batch on one GPU: micro_batch * seq_len / cp
  std::vector<LayerAccount> layers;  // embedding, dense, moe, mtp, head: those present

  const LayerAccount* find(LayerKind k) const;
};

// Throws UserError if the sharding does not fit the model (heads not divisible by tp, ...).
ModelAccount account_model(const ModelSpec& model, const AccountRequest& request);

// Whole-model figures (no sharding), from the account with tp = cp = ep = 1.
struct ModelTotals {
  double total_params = 0.0;       // excluding MTP modules (DeepSeek's 671B convention)
  double active_params = 0.0;      // used by one token: embedding, head, attention, dense
                                   // FFNs, shared + top-k routed experts, gates; excl. MTP
  double embedding_params = 0.0;   // input embedding (+ learned positions)
  double head_params = 0.0;        // output head (0 when tied)
  double mtp_params = 0.0;         // MTP modules' own parameters (shared embedding/head excluded)
  double kv_cache_bytes_per_token = 0.0;  // BF16 cache, all layers (MTP excluded)
  double forward_flops_per_token = 0.0;   // incl. MTP modules
  double train_flops_per_token = 0.0;     // forward + backward, incl. MTP modules
};

ModelTotals model_totals(const ModelSpec& model, std::int64_t seq_len, bool causal);

}  // namespace llmsim
