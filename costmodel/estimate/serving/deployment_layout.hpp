#pragma once
// A serving deployment's layout on its GPUs, derived from the scenario: how many GPUs, how
// attention and experts are split, what each GPU holds in memory, and so how many tokens of
// KV cache each attention data-parallel rank can keep.
//
// Attention and dense FFNs: tp-way tensor parallel, dp = gpus / tp replicas (DeepSeek's "DP
// attention"). Routed experts: (routed + redundant) / ep per GPU. The ranks of an EP group
// run in lockstep (every MoE layer's all-to-all joins them); without experts each DP replica
// is independent.

#include <cstdint>
#include <string>

#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/model_spec.hpp"
#include "costmodel/describe/serving.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

struct DeploymentLayout {
  ServingDeployment deployment;
  ClusterSpec cluster;     // the scenario's cluster, cut to the deployment's nodes
  GpuSpec gpu;
  int gpus = 0;
  int tp = 1;
  int dp = 1;              // attention data-parallel ranks
  int ep = 1;              // expert-parallel group (1 without experts)
  int experts_per_gpu = 0; // routed + redundant, over ep
  // Units simulated: ranks that run in lockstep form one unit (the whole EP group); dense
  // models run dp independent replicas of one rank each.
  int units = 1;
  int ranks_per_unit = 1;
  // Memory per GPU, bytes.
  double weight_bytes = 0.0;
  double reserve_bytes = 0.0;
  double kv_bytes_per_token = 0.0;   // one cached token, every layer (and MTP module) held
  std::int64_t kv_tokens_per_rank = 0;  // cache capacity of one attention DP rank
  std::string kv_note;               // how the cache size was counted
};

// Throws UserError when the weights leave no room for the KV cache.
DeploymentLayout layout_deployment(const ServingDeployment& d, const ModelSpec& model,
                                   const ClusterSpec& cluster, const GpuSpec& gpu);

}  // namespace llmsim
