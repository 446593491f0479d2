#pragma once

#include <vector>
// ParallelPlan: how a training job is split over the cluster. tp x cp x pp x dp GPUs; experts
// are split ep ways within each pipeline stage's tp x cp x dp GPUs (Megatron-LM's
// EP x expert-DP = TP x CP x DP with expert TP = 1).

#include <cstdint>

#include "costmodel/account/operator_account.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct ParallelPlan {
  int tp = 1;
  bool sp = false;  // sequence parallel, with tp > 1
  int cp = 1;
  int pp = 1;
  int vpp = 1;      // model chunks per rank, interleaved 1F1B only
  int dp = 1;
  int ep = 1;
  int zero_stage = 0;          // 0: none; 1: optimizer states; 2: + gradients; 3: + weights
  int micro_batch_size = 1;    // sequences per micro-batch
  ScheduleMethod schedule = ScheduleMethod::k1F1B;
  // Transformer layers of each pipeline stage (model chunk), in stage order; empty: balanced
  // (layout_chunks). The embedding stays with the first stage, the head, loss and MTP with the
  // last, as Megatron-LM places them (--decoder-first/last-pipeline-num-layers).
  std::vector<int> layers_per_stage;

  int gpus() const { return tp * cp * pp * dp; }
  // Data-parallel replicas of each routed expert: tp * cp * dp / ep.
  int expert_dp() const { return tp * cp * dp / ep; }
  ShardPlan shard() const { return ShardPlan{tp, sp, cp, ep}; }
};

}  // namespace llmsim
