#include "costmodel/estimate/training/comm_plan.hpp"

#include <algorithm>
#include <numeric>
#include <cmath>

namespace llmsim {

namespace {

std::string_view group_of(CommKind k) {
  switch (k) {
    case CommKind::kTpAllReduce:
    case CommKind::kTpAllGather:
    case CommKind::kTpReduceScatter: return "tp";
    case CommKind::kCpAllGatherKv: return "cp";
    case CommKind::kEpDispatch:
    case CommKind::kEpCombine: return "ep";
  }
  return "?";
}

// Forward dispatch travels in FP8 under DeepSeek's recipe; the backward sends gradients back
// to the tokens as a combine does, in BF16. The combine mirrors it (V3 report s3.3.3).
CollectiveOp op_of(CommKind k, bool forward, bool fp8_dispatch) {
  switch (k) {
    case CommKind::kTpAllReduce: return CollectiveOp::kAllReduce;
    case CommKind::kTpAllGather:
    case CommKind::kCpAllGatherKv: return CollectiveOp::kAllGather;
    case CommKind::kTpReduceScatter: return CollectiveOp::kReduceScatter;
    case CommKind::kEpDispatch:
      return forward && fp8_dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine;
    case CommKind::kEpCombine:
      return !forward && fp8_dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine;
  }
  return CollectiveOp::kAllReduce;
}

ExpertRouting routing_of(const CommNeed& need, const CommContext& ctx) {
  const ModelSpec& m = *ctx.model;
  ExpertRouting ep;
  ep.topk = m.moe.top_k;
  ep.hidden = m.hidden;
  ep.experts = m.moe.routed_experts;
  ep.tokens = static_cast<int>(std::llround(need.tokens / std::max(1, m.moe.top_k)));
  ep.max_nodes = m.moe.max_nodes_per_token > 0 ? m.moe.max_nodes_per_token
                                                : std::max(1, ctx.cluster_nodes);
  return ep;
}

}  // namespace

GroupCollective layer_collective(const CommNeed& need, bool forward, const CommContext& ctx,
                                 OperatorTimer& timer) {
  GroupCollective g;
  g.group = group_of(need.kind);
  const double bytes = forward ? need.forward_bytes : need.backward_bytes;
  g.request.gpus = bytes > 0 ? need.group_size : 1;
  g.request.bytes = bytes;
  const bool fp8_dispatch = ctx.recipe->dispatch_bytes <= 1.0;
  g.request.op = op_of(need.kind, forward, fp8_dispatch);
  if (need.kind == CommKind::kCpAllGatherKv) {
    g.request.per_node = strided_per_node(g.request.gpus, ctx.tp, ctx.gpus_per_node);
  }
  if (is_expert_op(g.request.op)) {
    g.request.ep = routing_of(need, ctx);
    if (!fp8_dispatch && g.request.op == CollectiveOp::kEpCombine && g.request.gpus > 1) {
      timer.note("dispatch outside the FP8 recipe is timed as a BF16 combine of the same routing");
    }
  }
  return g;
}

bool is_tp_comm(CommKind kind) {
  return kind == CommKind::kTpAllReduce || kind == CommKind::kTpAllGather ||
         kind == CommKind::kTpReduceScatter;
}

bool comm_before_compute(CommKind kind) {
  return kind == CommKind::kTpAllGather || kind == CommKind::kCpAllGatherKv;
}

int nccl_sms(bool spans_nodes) { return spans_nodes ? 16 : 24; }

double overlap_compute_slowdown(const GpuSpec& gpu, int comm_sms) {
  if (comm_sms <= 0 || gpu.sm_count <= comm_sms) return 1.0;
  return static_cast<double>(gpu.sm_count) / (gpu.sm_count - comm_sms);
}

int strided_per_node(int group, int stride, int gpus_per_node) {
  const int fit = std::max(1, gpus_per_node / std::max(1, stride));
  return std::gcd(std::max(1, group), fit);
}

namespace {

// One data-parallel group's gradient collective, run at once with the other groups that share
// its nodes (one per set of `per_node` GPUs of a node) when it spans nodes: they share the
// nodes' uplinks.
GroupCollective grad_collective(std::string_view group, CollectiveOp op, int gpus, double bytes,
                                int per_node, int gpus_per_node) {
  GroupCollective g;
  g.group = group;
  g.request.op = op;
  g.request.gpus = bytes > 0 ? gpus : 1;
  g.request.bytes = bytes;
  g.request.per_node = per_node;
  const bool spans_nodes = per_node > 0 && gpus > per_node;
  if (spans_nodes) g.request.concurrent = std::max(1, gpus_per_node / per_node);
  return g;
}

}  // namespace

DpSync dp_sync_plan(const ParallelPlan& plan, ScheduleMethod method, const PrecisionRecipe& recipe,
                    double dense_params, double expert_params, int gpus_per_node) {
  DpSync s;
  const double copies = method == ScheduleMethod::kDualPipe ? 2.0 : 1.0;
  s.dense_group = static_cast<int>(plan.dp * plan.cp * copies);
  s.expert_group = static_cast<int>(plan.expert_dp() * copies);
  // Dense gradients: the dp x cp ranks sit tp apart; expert gradients: ep x tp apart.
  const int dense_per_node = strided_per_node(s.dense_group, plan.tp, gpus_per_node);
  const int expert_per_node = strided_per_node(s.expert_group, plan.tp * plan.ep, gpus_per_node);
  const CollectiveOp reduce =
      plan.zero_stage == 0 ? CollectiveOp::kAllReduce : CollectiveOp::kReduceScatter;
  s.reduce = {
      grad_collective("dp", reduce, s.dense_group, dense_params * recipe.grad_bytes, dense_per_node,
                      gpus_per_node),
      grad_collective("expert-dp", reduce, s.expert_group, expert_params * recipe.grad_bytes,
                      expert_per_node, gpus_per_node)};
  if (plan.zero_stage > 0) {
    s.gather = {grad_collective("dp", CollectiveOp::kAllGather, s.dense_group,
                                dense_params * recipe.weight_bytes, dense_per_node, gpus_per_node),
                grad_collective("expert-dp", CollectiveOp::kAllGather, s.expert_group,
                                expert_params * recipe.weight_bytes, expert_per_node,
                                gpus_per_node)};
  }
  return s;
}

}  // namespace llmsim
