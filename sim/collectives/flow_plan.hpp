#pragma once
// FlowPlan: a collective decomposed into flows, in phases separated by barriers (phase k + 1
// starts when every flow of phase k has arrived). One builder per algorithm:
//   ring.cpp               ring all-reduce / reduce-scatter / all-gather, NCCL-style channels
//   hierarchical.cpp       hierarchical all-reduce: NVLink reduce-scatter, IB all-reduce per
//                          rail, NVLink all-gather
//   all_to_all.cpp         all-to-all and point-to-point
//   expert_all_to_all.cpp  DeepEP dispatch and combine (normal and low-latency kernels)
//
// A ring is pipelined (NCCL slices its buffer), so each ring edge is one flow carrying all the
// bytes that edge moves over the whole collective, and its latency counts once per ring step:
// latency = route latency * latency_steps.

#include <cstdint>
#include <vector>

#include "sim/collectives/collective.hpp"
#include "sim/sim_time.hpp"

namespace llmsim {

struct PlannedFlow {
  std::int32_t src = 0;  // global GPU ids
  std::int32_t dst = 0;
  double bytes = 0.0;
  std::int32_t latency_steps = 1;
  SimTime extra_latency;  // added to the route's latency (e.g. waiting for a previous hop)
  bool loopback = false;  // src == dst through the GPU's own NVLink port (DeepEP model)
};

struct FlowPlan {
  std::vector<std::vector<PlannedFlow>> phases;
  // EP only: the bytes per GPU that DeepEP's tests count (see CollectiveResult).
  double ep_rdma_bytes = 0.0;
  double ep_nvl_bytes = 0.0;
  std::size_t flow_count() const;
};

// `group`: the GPUs taking part, global ids; gpus_per_node: of the cluster (node = id / it).
FlowPlan plan_ring(CollectiveOp op, const std::vector<int>& group, int gpus_per_node, double bytes);
FlowPlan plan_hierarchical_all_reduce(const std::vector<int>& group, int gpus_per_node,
                                      double bytes);
FlowPlan plan_all_to_all(const std::vector<int>& group, double bytes);
FlowPlan plan_p2p(int src, int dst, double bytes);
// The group must be whole nodes (or part of one node). ib_latency / nvlink_latency: one hop
// of each, for the forward's wait on the first IB chunk.
FlowPlan plan_expert_all_to_all(bool dispatch, const std::vector<int>& group, int gpus_per_node,
                                const ExpertRouting& routing, SimTime ib_latency,
                                SimTime nvlink_latency);
// The plan a request names over `group` (global GPU ids; request.gpus is ignored), for a
// training simulation's data-, expert- or pipeline-parallel groups.
FlowPlan plan_collective(const CollectiveRequest& request, const std::vector<int>& group,
                         int gpus_per_node, SimTime ib_latency, SimTime nvlink_latency);
// The plan a request names, over GPUs 0 .. request.gpus - 1.
FlowPlan plan_collective(const CollectiveRequest& request, int gpus_per_node, SimTime ib_latency,
                         SimTime nvlink_latency);

// Node-major view of a group: the members of each node it touches, in group order.
std::vector<std::vector<int>> group_by_node(const std::vector<int>& group, int gpus_per_node);

}  // namespace llmsim
