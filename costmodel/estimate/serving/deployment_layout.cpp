#include "costmodel/estimate/serving/deployment_layout.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "costmodel/account/operator_account.hpp"
#include "sim/check.hpp"

namespace llmsim {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Linear layers' weights are stored in the deployment's weight precision; the embedding, the
// output head, the router and the norms in BF16 (DeepSeek-V3 report s3.3.1 keeps them in
// higher precision).
double weight_bytes_of(const OpAccount& op, Precision weights) {
  const bool gemm = op.kind == OperatorKind::kGemm || op.kind == OperatorKind::kGroupedGemm;
  const bool linear = gemm && !ends_with(op.name, "head") && op.name.find("router") == std::string::npos;
  return linear ? precision_bytes(weights) : 2.0;
}

double weights_per_gpu(const DeploymentLayout& l, const ModelSpec& model) {
  AccountRequest r;
  r.shard = ShardPlan{l.tp, false, 1, 1};
  r.recipe = make_recipe(l.deployment.precision.compute == Precision::kFP8 ? RecipeKind::kFP8DeepSeek
                                                                           : RecipeKind::kBF16);
  r.recompute = RecomputePolicy::kNone;
  r.seq_len = 1;
  const ModelAccount a = account_model(model, r);
  const double expert_share =
      model.moe.enabled() ? static_cast<double>(l.experts_per_gpu) / model.moe.routed_experts : 0.0;
  double bytes = 0.0;
  for (const LayerAccount& layer : a.layers) {
    int count = layer.count;
    if (layer.kind == LayerKind::kMtp) count = std::min(count, l.deployment.mtp_depth);
    for (const OpAccount& op : layer.ops) {
      const double params = op.expert_params ? op.params * expert_share : op.params;
      bytes += count * params * weight_bytes_of(op, l.deployment.precision.weights);
    }
  }
  return bytes;
}

// Bytes of one cached token on one GPU, per layer. MLA caches the compressed latent and the
// decoupled RoPE key, replicated over TP (DeepSeek-V2 report s2.1.2); in FP8 as FlashMLA lays
// it out: the latent in FP8, one FP32 scale per 128 elements, the RoPE part in BF16 (656
// bytes for DeepSeek-V3, flashmla_h800.csv). MHA / GQA cache K and V of the GPU's KV heads.
double kv_bytes_per_layer(const ModelSpec& m, int tp, Precision kv) {
  if (m.attention == AttentionKind::kMLA) {
    const double latent = m.mla.kv_lora_rank, rope = m.mla.qk_rope_head_dim;
    if (kv == Precision::kFP8) return latent + 4.0 * std::ceil(latent / 128.0) + 2.0 * rope;
    return (latent + rope) * precision_bytes(kv);
  }
  const int kv_heads = m.attention == AttentionKind::kMHA ? m.heads : m.kv_heads;
  const double local = std::max(1.0, static_cast<double>(kv_heads) / tp);
  return 2.0 * local * m.head_dim * precision_bytes(kv);
}

void place(DeploymentLayout& l, const ModelSpec& model) {
  const ServingDeployment& d = l.deployment;
  l.gpus = d.nodes * l.cluster.gpus_per_node;
  l.tp = d.tp;
  l.dp = l.gpus / l.tp;
  if (model.moe.enabled()) {
    l.ep = d.ep > 0 ? d.ep : l.gpus;
    l.experts_per_gpu = (model.moe.routed_experts + d.redundant_experts) / l.ep;
    l.units = l.gpus / l.ep;
    l.ranks_per_unit = l.ep / l.tp;
  } else {
    l.units = l.dp;
    l.ranks_per_unit = 1;
  }
  if (l.ranks_per_unit < 1) {
    throw UserError(fmt::format("serving deployment {}: ep = {} is smaller than tp = {}; an EP "
                                "group must hold whole TP groups", d.name, l.ep, l.tp));
  }
}

}  // namespace

DeploymentLayout layout_deployment(const ServingDeployment& d, const ModelSpec& model,
                                   const ClusterSpec& cluster, const GpuSpec& gpu) {
  if (d.nodes > cluster.nodes) {
    throw UserError(fmt::format(
        "serving deployment {}: {} nodes, but cluster {} has {}{}", d.name, d.nodes, cluster.name,
        cluster.nodes,
        cluster.topology == TopologyKind::kSingleNode
            ? " (a single node); give a multi-node cluster such as h800 or h200-fleet"
            : ""));
  }
  DeploymentLayout l;
  l.deployment = d;
  l.cluster = cluster;
  l.cluster.nodes = d.nodes;
  l.gpu = gpu;
  place(l, model);
  l.weight_bytes = weights_per_gpu(l, model);
  l.reserve_bytes = d.scheduler.activation_reserve_gib * kGiB;
  const int layers = model.layers + std::min(model.mtp_modules, d.mtp_depth);
  l.kv_bytes_per_token = layers * kv_bytes_per_layer(model, l.tp, d.precision.kv_cache);
  const double free = gpu.hbm_bytes - l.weight_bytes - l.reserve_bytes;
  if (free < l.kv_bytes_per_token * d.scheduler.kv_block_tokens) {
    throw UserError(fmt::format(
        "serving deployment {}: {:.1f} GiB of weights and a {:.1f} GiB activation reserve per "
        "GPU leave no room for the KV cache in {:.1f} GiB of {}; use more GPUs (tp, ep) or FP8 "
        "weights",
        d.name, l.weight_bytes / kGiB, l.reserve_bytes / kGiB, gpu.hbm_bytes / kGiB, gpu.name));
  }
  const double blocks = std::floor(free / (l.kv_bytes_per_token * d.scheduler.kv_block_tokens));
  l.kv_tokens_per_rank = static_cast<std::int64_t>(blocks) * d.scheduler.kv_block_tokens;
  l.kv_note = fmt::format(
      "KV cache per GPU: {:.1f} GiB of HBM less {:.1f} GiB of weights and a {:.1f} GiB "
      "activation reserve (assumed) = {:.1f} GiB, {:.0f} bytes per token over {} layers: {} "
      "tokens per attention rank",
      gpu.hbm_bytes / kGiB, l.weight_bytes / kGiB, l.reserve_bytes / kGiB, free / kGiB,
      l.kv_bytes_per_token, layers, l.kv_tokens_per_rank);
  return l;
}

}  // namespace llmsim
