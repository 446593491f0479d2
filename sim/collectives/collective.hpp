#pragma once
// Collective operations as nccl-tests and DeepEP define and measure them: the request (what,
// over which GPUs, how many bytes), the result (time, algorithm and bus bandwidth, the
// bottleneck), and the conventions that turn one into the other.
//
// Sizes follow nccl-tests (doc/PERFORMANCE.md): `bytes` is the per-GPU buffer (all-reduce: the
// buffer reduced; reduce-scatter: the full input; all-gather: the full output; all-to-all: the
// whole send buffer, bytes / N to each peer; p2p: the message). algbw = bytes / time;
// busbw = algbw * factor, factor 2(N-1)/N for all-reduce, (N-1)/N for reduce-scatter,
// all-gather and all-to-all, 1 for p2p.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/network/link_usage.hpp"
#include "sim/sim_time.hpp"

namespace llmsim {

enum class CollectiveOp {
  kAllReduce,
  kReduceScatter,
  kAllGather,
  kAllToAll,
  kP2P,         // GPU group[0] -> group[N-1]
  kEpDispatch,  // DeepEP dispatch: tokens to their top-k experts (FP8 + scales)
  kEpCombine,   // DeepEP combine: expert outputs back to the tokens' GPUs (BF16)
};

std::string_view collective_op_name(CollectiveOp op);
std::optional<CollectiveOp> parse_collective_op(std::string_view name);
bool is_expert_op(CollectiveOp op);

enum class AllReduceAlgorithm { kRing, kHierarchical };
// DeepEP's kernels: "normal" (NVLink inside a node; across nodes one IB hop to the
// same-index GPU of each target node, then an NVLink forward) and "low-latency" (each
// (token, expert) pair sent straight to the expert's GPU, NVLink where possible).
enum class EpKernel { kNormal, kLowLatency };

// MoE routing of one EP group (DeepSeek-V3: 256 routed experts, top-8, at most 4 nodes).
struct ExpertRouting {
  int tokens = 4096;  // per GPU
  int hidden = 7168;
  int topk = 8;
  int experts = 256;  // spread evenly over the EP ranks
  int max_nodes = 4;  // node-limited routing: a token reaches at most this many nodes
  double skew = 0.0;  // Zipf exponent of expert popularity; 0 = uniform
  EpKernel kernel = EpKernel::kNormal;
};

struct CollectiveRequest {
  CollectiveOp op = CollectiveOp::kAllReduce;
  int gpus = 8;        // the group's size
  double bytes = 0.0;  // per nccl-tests (see above); unused by the EP operations
  AllReduceAlgorithm algorithm = AllReduceAlgorithm::kRing;
  ExpertRouting ep;
  // Group members per node: rank r sits on node r / per_node, GPU r % per_node of it. 0: the
  // group fills whole nodes (GPUs 0 .. gpus-1 of the cluster). A data-parallel group under
  // tensor parallelism 8 has one member per node (per_node 1). Not for the EP operations.
  int per_node = 0;
  // Identical groups running at once on the same nodes, group j on each node's GPUs shifted by
  // j x per_node: the data-parallel groups of a TP x DP plan all reduce together and share the
  // nodes' uplinks. 1: this group alone. Not for the EP operations.
  int concurrent = 1;
};

// Members per node of `q`'s group on nodes of `gpus_per_node` GPUs.
int group_per_node(const CollectiveRequest& q, int gpus_per_node);
// The cluster GPU index of each rank of `q`'s group.
std::vector<int> group_gpus(const CollectiveRequest& q, int gpus_per_node);

struct CollectiveResult {
  bool analytical = false;
  SimTime time;
  double bytes = 0.0;  // as nccl-tests counts; EP: bytes each GPU receives (DeepEP's NVL bytes)
  double algbw_gbps = 0.0;
  double busbw_gbps = 0.0;
  std::string bottleneck;             // the busiest link (flow) or link class (analytical)
  double bottleneck_utilization = 0;  // its bytes / (capacity * time)
  // EP only, as DeepEP's tests print them: bytes per GPU divided by time, where the RDMA bytes
  // count one copy per (token, target node), the local node included, and the NVL bytes one
  // copy per (token, receiving GPU); low-latency: one copy per (token, expert) pair.
  double nvlink_gbps = 0.0;
  double rdma_gbps = 0.0;
  // Flow mode only: the busiest links (most busy time first, at most kBusiestLinks) and each
  // tier's traffic and busiest link, over the collective's time.
  std::vector<LinkLoad> busiest_links;
  std::vector<TierLoad> tiers;
  std::int64_t flows = 0;
  std::int64_t events = 0;
  std::int64_t rate_solves = 0;
};

inline constexpr std::size_t kBusiestLinks = 10;

// nccl-tests' bus bandwidth factor for `op` over n GPUs.
double bus_factor(CollectiveOp op, int n);

}  // namespace llmsim
