#include "costmodel/estimate/serving/iteration_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

// Token counts per micro-batch priced exactly: 1, 2, then powers of sqrt(2), rounded, to 2^24.
std::vector<double> token_grid() {
  std::vector<double> g;
  for (double t = 1.0; t <= 16777216.0; t *= std::sqrt(2.0)) {
    const double r = std::round(t);
    if (g.empty() || r > g.back()) g.push_back(r);
  }
  return g;
}

bool skip_in_grid(const OpAccount& op) {
  return op.kind == OperatorKind::kAttentionCore || op.kind == OperatorKind::kLoss ||
         op.kind == OperatorKind::kCommunication || op.name.ends_with("head") ||
         op.name.ends_with("final_norm");
}

AccountRequest account_request(const DeploymentLayout& l, double tokens) {
  AccountRequest r;
  r.shard = ShardPlan{l.tp, false, 1, 1};
  r.recipe = make_recipe(l.deployment.precision.compute == Precision::kFP8 ? RecipeKind::kFP8DeepSeek
                                                                           : RecipeKind::kBF16);
  r.recompute = RecomputePolicy::kNone;
  r.seq_len = static_cast<std::int64_t>(tokens);
  r.micro_batch = 1;
  return r;
}

}  // namespace

IterationModel::IterationModel(const DeploymentLayout& layout, const ModelSpec& model,
                               OperatorTimer& timer)
    : layout_(layout), model_(model), timer_(timer), grid_tokens_(token_grid()) {
  grid_.resize(grid_tokens_.size());
  notes_.push_back(
      "serving iterations: linear operators and collectives priced at token counts 1, 2, 3, 4, "
      "6, 8, 11, ... (powers of sqrt 2) and interpolated linearly between them");
  notes_.push_back("serving: attention data-parallel ranks of one unit carry equal shares of "
                   "the unit's batch (requests go to the least-loaded rank)");
  if (model.moe.enabled() && layout.deployment.expert_imbalance == 1.0) {
    notes_.push_back("serving: tokens are routed to experts uniformly (redundant experts assumed "
                     "to balance the load); an expert with no token this iteration costs nothing");
  } else if (model.moe.enabled()) {
    notes_.push_back(fmt::format(
        "serving: {}: the busiest GPU's experts get {:g} x the mean routed tokens; its grouped "
        "GEMMs and its share of each dispatch and combine set the pace",
        layout.deployment.name, layout.deployment.expert_imbalance));
  }
}

double IterationModel::grouped_seconds(const OpAccount& op, double tokens) {
  // Copies this GPU's experts receive: as many as its tokens send (balanced), over its local
  // experts; an expert receives at least one with probability 1 - (1 - 1/local)^copies.
  const double local = layout_.experts_per_gpu;
  const double copies = tokens / layout_.tp * model_.moe.top_k * layout_.deployment.expert_imbalance;
  const double active = local * (1.0 - std::pow(1.0 - 1.0 / local, copies));
  if (active <= 0.0) return 0.0;
  GemmOp g{op.precision, std::max<std::int64_t>(1, std::llround(copies / active)), op.gemm.n,
           op.gemm.k, std::max<std::int64_t>(1, std::llround(active)), true};
  return timer_.time(g).seconds;
}

double IterationModel::op_seconds(const OpAccount& op, double tokens) {
  switch (op.kind) {
    case OperatorKind::kGemm:
      return timer_.time(GemmOp{op.precision, op.gemm.m, op.gemm.n, op.gemm.k}).seconds;
    case OperatorKind::kGroupedGemm: return grouped_seconds(op, tokens);
    case OperatorKind::kNorm:
    case OperatorKind::kElementwise:
    case OperatorKind::kEmbedding: return timer_.time(MemoryBoundOp{op.forward_bytes}).seconds;
    case OperatorKind::kAttentionCore:
    case OperatorKind::kLoss:
    case OperatorKind::kCommunication: return 0.0;
  }
  return 0.0;
}

double IterationModel::layer_comm_seconds(const LayerAccount& layer, double tokens) {
  double s = 0.0;
  for (const OpAccount& op : layer.ops) {
    if (skip_in_grid(op) && op.kind != OperatorKind::kCommunication) continue;
    for (const CommNeed& need : op.comms) {
      if (need.kind == CommKind::kTpAllReduce && need.forward_bytes > 0) {
        CollectiveRequest q;
        q.op = CollectiveOp::kAllReduce;
        q.gpus = layout_.tp;
        q.bytes = need.forward_bytes;
        s += timer_.time(GroupCollective{"tp", q}).seconds;
      }
    }
  }
  if (layer.kind != LayerKind::kMoE || layout_.ep <= 1) return s;
  CollectiveRequest q;
  q.gpus = layout_.ep;
  // The busiest GPU's share sets the pace: its tokens scaled by the imbalance.
  q.ep.tokens = std::max(1, static_cast<int>(std::llround(tokens / layout_.tp *
                                                          layout_.deployment.expert_imbalance)));
  q.ep.hidden = model_.hidden;
  q.ep.topk = model_.moe.top_k;
  q.ep.experts = model_.moe.routed_experts + layout_.deployment.redundant_experts;
  q.ep.max_nodes = model_.moe.max_nodes_per_token > 0 ? model_.moe.max_nodes_per_token
                                                      : layout_.deployment.nodes;
  q.ep.kernel = layout_.deployment.ep_kernel;
  // FP8 dispatch and BF16 combine (day 6: "GEMMs and dispatch FP8; core MLA and combine
  // BF16"); without FP8 compute the dispatch is BF16 too, timed as a combine.
  q.op = layout_.deployment.precision.compute == Precision::kFP8 ? CollectiveOp::kEpDispatch
                                                                 : CollectiveOp::kEpCombine;
  s += timer_.time(GroupCollective{"ep", q}).seconds;
  q.op = CollectiveOp::kEpCombine;
  s += timer_.time(GroupCollective{"ep", q}).seconds;
  return s;
}

IterationModel::GridPoint IterationModel::price(double tokens) {
  const ModelAccount a = account_model(model_, account_request(layout_, tokens));
  GridPoint p;
  for (const LayerAccount& layer : a.layers) {
    double compute = 0.0;
    for (const OpAccount& op : layer.ops) {
      if (!skip_in_grid(op)) compute += op_seconds(op, tokens);
    }
    const double comm = layer_comm_seconds(layer, tokens);
    if (layer.kind == LayerKind::kMtp) {
      p.mtp_s = compute + comm;  // drafting passes: their communication is not overlapped
    } else if (layer.kind != LayerKind::kHead) {
      p.compute_s += layer.count * compute;
      p.comm_s += layer.count * comm;
    }
  }
  return p;
}

const IterationModel::GridPoint& IterationModel::point(std::size_t i) {
  if (!grid_[i]) grid_[i] = price(grid_tokens_[i]);
  return *grid_[i];
}

IterationModel::GridPoint IterationModel::interpolate(double tokens) {
  if (tokens <= 0.0) return {};
  if (tokens > grid_tokens_.back()) {
    throw UserError(fmt::format("serving: {:.0f} tokens in one iteration on one GPU: more than "
                                "the {:.0f} the iteration model prices", tokens, grid_tokens_.back()));
  }
  const auto hi = static_cast<std::size_t>(
      std::lower_bound(grid_tokens_.begin(), grid_tokens_.end(), tokens) - grid_tokens_.begin());
  if (hi == 0 || grid_tokens_[hi] == tokens) return point(hi);
  const GridPoint a = point(hi - 1), b = point(hi);
  const double w = (tokens - grid_tokens_[hi - 1]) / (grid_tokens_[hi] - grid_tokens_[hi - 1]);
  return GridPoint{a.compute_s + w * (b.compute_s - a.compute_s), a.mtp_s + w * (b.mtp_s - a.mtp_s),
                   a.comm_s + w * (b.comm_s - a.comm_s)};
}

// The attention core of every layer for one micro-batch holding `share` of the load.
double IterationModel::attention_seconds(const IterationLoad& load, double share) {
  const bool mla = model_.attention == AttentionKind::kMLA;
  const std::int64_t heads = model_.heads / layout_.tp;
  const std::int64_t kv_heads =
      mla ? 1 : std::max<std::int64_t>(1, (model_.attention == AttentionKind::kMHA ? model_.heads
                                                                                   : model_.kv_heads) /
                                              layout_.tp);
  double per_layer = 0.0;
  const double decode = load.decode_seqs * share;
  if (decode > 0.0) {
    AttentionOp a;
    a.pass = AttentionPass::kDecode;
    a.batch = std::max<std::int64_t>(1, std::llround(decode));
    a.q_len = tokens_per_decode();
    a.kv_len = std::max<std::int64_t>(1, std::llround(load.decode_kv));
    a.heads = heads;
    a.kv_heads = kv_heads;
    // MLA decode with absorbed weights: queries and keys in the 512 + 64 latent space, values
    // the 512 latent (FlashMLA); MHA / GQA: the head dimension.
    a.head_dim_qk = mla ? model_.mla.kv_lora_rank + model_.mla.qk_rope_head_dim : model_.head_dim;
    a.head_dim_v = mla ? model_.mla.kv_lora_rank : model_.head_dim;
    a.causal = false;
    a.kv_shared = mla;
    a.kv_element_bytes = precision_bytes(layout_.deployment.precision.kv_cache);
    per_layer += timer_.time(a).seconds;
  }
  const double prefill = load.prefill_tokens * share;
  if (prefill > 0.0) {
    AttentionOp a;
    a.pass = AttentionPass::kForward;
    a.q_len = std::max<std::int64_t>(1, std::llround(prefill));
    a.kv_len = std::max<std::int64_t>(1, std::llround(load.prefill_kv));
    a.heads = heads;
    a.kv_heads = kv_heads;
    a.head_dim_qk = mla ? model_.mla.qk_nope_head_dim + model_.mla.qk_rope_head_dim : model_.head_dim;
    a.head_dim_v = mla ? model_.mla.v_head_dim : model_.head_dim;
    a.causal = false;  // the chunk's pairs, counted as prefill_kv keys per query
    per_layer += timer_.time(a).seconds;
  }
  return per_layer;
}

double IterationModel::head_seconds(double tokens) {
  if (tokens <= 0.0) return 0.0;
  const GemmOp g{Precision::kBF16, std::max<std::int64_t>(1, std::llround(tokens)),
                 model_.vocab / layout_.tp, model_.hidden};
  return timer_.time(g).seconds;
}

IterationTime IterationModel::time(const IterationLoad& load) {
  const int mb = layout_.deployment.micro_batches;
  const double share = 1.0 / mb;
  const double tokens = (load.decode_seqs * tokens_per_decode() + load.prefill_tokens) * share;
  const GridPoint main = interpolate(tokens);
  const double attention = attention_seconds(load, share);
  const double sampled = (load.decode_seqs * tokens_per_decode() + load.prefill_seqs) * share;
  double compute = main.compute_s + model_.layers * attention + head_seconds(sampled);
  double comm = main.comm_s;
  const int depth = layout_.deployment.mtp_depth;
  if (depth > 0 && load.decode_seqs > 0.0) {
    // Each drafting pass runs one MTP module (a layer and the shared head) on the decoding
    // sequences; its attention is one more decode layer.
    IterationLoad draft = load;
    draft.prefill_tokens = 0.0;
    const double per_pass = interpolate(load.decode_seqs * share).mtp_s +
                            attention_seconds(draft, share) + head_seconds(load.decode_seqs * share);
    compute += depth * per_pass;
  }
  IterationTime t;
  t.attention_s = mb * (model_.layers + depth) * attention;
  if (mb == 1) {
    t.compute_s = compute;
    t.comm_s = comm;
    t.seconds = compute + comm;
    return t;
  }
  // Two micro-batches: computation on the SMs communication leaves.
  const int sms = std::max(1, layout_.gpu.sm_count);
  const double slowdown = static_cast<double>(sms) / std::max(1, sms - layout_.deployment.comm_sms);
  t.compute_s = mb * compute * slowdown;
  t.comm_s = mb * comm;
  const double pieces = 2.0 * mb * std::max(1, model_.layers);
  t.seconds = std::max(t.compute_s, t.comm_s) + std::min(t.compute_s, t.comm_s) / pieces;
  return t;
}

}  // namespace llmsim
