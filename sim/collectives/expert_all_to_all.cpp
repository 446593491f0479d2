// DeepEP's MoE dispatch and combine as flows (github.com/deepseek-ai/DeepEP; DeepSeek-V3
// report §3.2.2). Token counts are the expected values of ep_routing.hpp.
//
// Normal kernels, EP group inside one node: every GPU sends each token once to every GPU
// holding at least one of its experts, over NVLink.
// Normal kernels across nodes: GPU (n, l) sends each token once per target node m over IB to
// GPU (m, l), the same local index (same rail / plane); that GPU forwards it over NVLink to
// every GPU of node m holding one of its experts. Tokens for the local node skip IB and are
// forwarded by the source itself. IB and NVLink run concurrently (DeepEP pipelines chunks);
// a forward starts one IB latency after the dispatch.
// Combine: the same flows reversed, BF16 instead of FP8. The forwards run at the kernel's
// forwarding rate where the cluster states one (ClusterSpec::ep_forward_gbps: run_collective
// caps NVLink there, as NVLink carries nothing else in these kernels).
// Low-latency kernels: each (token, expert) pair is its own message, straight to the expert's
// GPU (NVLink inside the node, IB across), no deduplication, no forwarding.
//
// The copy a GPU keeps for itself (a token whose expert is local, a forward to itself) is
// charged to the GPU's own NVLink port (a loopback flow). DeepEP moves these copies through
// the same channel buffers with the same communication SMs as the remote ones, and counts
// them in the bytes it divides by time; charging only the 7/8 that physically cross NVLink
// would put the intranode dispatch at ~183 GB/s against ~160 GB/s achievable NVLink, above
// what any kernel has shown (DeepEP: 153). This is the model's one judgement call: say so.

#include <algorithm>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/collectives/ep_routing.hpp"
#include "sim/collectives/flow_plan.hpp"

namespace llmsim {

namespace {

// Adds one flow (reversed for the combine); none for no bytes.
struct FlowAdder {
  bool dispatch;
  std::vector<PlannedFlow>& flows;
  void operator()(int src, int dst, double bytes, SimTime extra) const {
    if (bytes <= 0.0) return;
    PlannedFlow f;
    f.src = dispatch ? src : dst;
    f.dst = dispatch ? dst : src;
    f.bytes = bytes;
    f.extra_latency = extra;
    f.loopback = src == dst;
    flows.push_back(f);
  }
};

void check_whole_nodes(const std::vector<std::vector<int>>& nodes, int gpus_per_node) {
  const int n = static_cast<int>(nodes.size());
  const int g = static_cast<int>(nodes[0].size());
  for (const auto& m : nodes) {
    if (static_cast<int>(m.size()) != g || (n > 1 && g != gpus_per_node)) {
      throw UserError(
          fmt::format("an EP group across nodes must use whole nodes of {} GPUs", gpus_per_node));
    }
  }
}

// Normal kernels across nodes: IB to the same local index of every other node, then NVLink
// forwards inside each node. t: tokens per GPU; tb: bytes per token.
void add_cross_node_flows(const FlowAdder& add, const std::vector<std::vector<int>>& nodes,
                          const ExpertHitProbabilities& hit, double t, double tb,
                          SimTime ib_latency, SimTime nvlink_latency) {
  const int n = static_cast<int>(nodes.size());
  const int g = static_cast<int>(nodes[0].size());
  auto gpu = [&](int node, int local) {
    return nodes[static_cast<std::size_t>(node)][static_cast<std::size_t>(local)];
  };
  // The forward of the dispatch waits for the first IB chunk; the IB leg of the combine waits
  // for the first NVLink chunk.
  const SimTime ib_wait = add.dispatch ? SimTime::zero() : nvlink_latency;
  const SimTime nv_wait = add.dispatch ? ib_latency : SimTime::zero();
  for (int src_node = 0; src_node < n; ++src_node) {
    for (int l = 0; l < g; ++l) {
      for (int m = 0; m < n; ++m) {
        if (m == src_node) continue;
        add(gpu(src_node, l), gpu(m, l), t * hit.node[static_cast<std::size_t>(m)] * tb, ib_wait);
      }
    }
  }
  for (int m = 0; m < n; ++m) {
    for (int l = 0; l < g; ++l) {
      for (int j = 0; j < g; ++j) {
        // Tokens from the n GPUs with local index l (all nodes, this one included).
        add(gpu(m, l), gpu(m, j), n * t * hit.rank[static_cast<std::size_t>(m * g + j)] * tb,
            nv_wait);
      }
    }
  }
}

}  // namespace

FlowPlan plan_expert_all_to_all(bool dispatch, const std::vector<int>& group, int gpus_per_node,
                                const ExpertRouting& r, SimTime ib_latency,
                                SimTime nvlink_latency) {
  const auto nodes = group_by_node(group, gpus_per_node);
  check_whole_nodes(nodes, gpus_per_node);
  const int n = static_cast<int>(nodes.size());
  const int g = static_cast<int>(nodes[0].size());
  const int ranks = static_cast<int>(group.size());
  const ExpertHitProbabilities hit = expert_hit_probabilities(r, ranks, g);
  const double tb = ep_token_bytes(r, dispatch);
  const double t = r.tokens;
  FlowPlan plan;
  plan.phases.emplace_back();
  const FlowAdder add{dispatch, plan.phases[0]};
  auto gpu = [&](int node, int local) {
    return nodes[static_cast<std::size_t>(node)][static_cast<std::size_t>(local)];
  };
  if (r.kernel == EpKernel::kLowLatency) {
    // One message per (token, expert): t * topk messages per GPU, shared by rank popularity.
    const double per_gpu = t * r.topk * tb;
    for (int s = 0; s < ranks; ++s) {
      for (int d = 0; d < ranks; ++d) {
        add(group[static_cast<std::size_t>(s)], group[static_cast<std::size_t>(d)],
            per_gpu * hit.selection_share[static_cast<std::size_t>(d)], SimTime::zero());
      }
    }
    plan.ep_rdma_bytes = per_gpu;
    plan.ep_nvl_bytes = per_gpu;
    return plan;
  }
  double recv_tokens = 0.0;  // summed over ranks, averaged below
  for (int rank = 0; rank < ranks; ++rank) {
    recv_tokens += ranks * t * hit.rank[static_cast<std::size_t>(rank)];
  }
  plan.ep_nvl_bytes = recv_tokens / ranks * tb;
  if (n == 1) {
    for (int s = 0; s < g; ++s) {
      for (int d = 0; d < g; ++d) {
        add(gpu(0, s), gpu(0, d), t * hit.rank[static_cast<std::size_t>(d)] * tb, SimTime::zero());
      }
    }
    return plan;
  }
  double node_tokens = 0.0;
  for (double p : hit.node) node_tokens += t * p;
  plan.ep_rdma_bytes = node_tokens * tb;
  add_cross_node_flows(add, nodes, hit, t, tb, ib_latency, nvlink_latency);
  return plan;
}

FlowPlan plan_collective(const CollectiveRequest& q, int gpus_per_node, SimTime ib_latency,
                         SimTime nvlink_latency) {
  const std::vector<int> first = group_gpus(q, gpus_per_node);
  FlowPlan plan = plan_collective(q, first, gpus_per_node, ib_latency, nvlink_latency);
  const int shift = group_per_node(q, gpus_per_node);
  for (int j = 1; j < q.concurrent; ++j) {
    std::vector<int> group = first;
    for (int& gpu : group) gpu += j * shift;
    const FlowPlan other = plan_collective(q, group, gpus_per_node, ib_latency, nvlink_latency);
    for (std::size_t k = 0; k < other.phases.size(); ++k) {
      auto& phase = plan.phases[k];
      phase.insert(phase.end(), other.phases[k].begin(), other.phases[k].end());
    }
  }
  return plan;
}

FlowPlan plan_collective(const CollectiveRequest& q, const std::vector<int>& group,
                         int gpus_per_node, SimTime ib_latency, SimTime nvlink_latency) {
  LLMSIM_CHECK(!group.empty(), "a collective needs a group");
  switch (q.op) {
    case CollectiveOp::kAllReduce:
      if (q.algorithm == AllReduceAlgorithm::kHierarchical) {
        return plan_hierarchical_all_reduce(group, gpus_per_node, q.bytes);
      }
      return plan_ring(q.op, group, gpus_per_node, q.bytes);
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather: return plan_ring(q.op, group, gpus_per_node, q.bytes);
    case CollectiveOp::kAllToAll: return plan_all_to_all(group, q.bytes);
    case CollectiveOp::kP2P: return plan_p2p(group.front(), group.back(), q.bytes);
    case CollectiveOp::kEpDispatch:
    case CollectiveOp::kEpCombine:
      return plan_expert_all_to_all(q.op == CollectiveOp::kEpDispatch, group, gpus_per_node, q.ep,
                                    ib_latency, nvlink_latency);
  }
  throw InternalError("unknown collective");
}

}  // namespace llmsim
