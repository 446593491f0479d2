// Ring all-reduce, reduce-scatter and all-gather as NCCL runs them on multi-node clusters.
//
// On one node: a single ring (every GPU sends its whole share to the next over NVLink).
// Across n nodes of g GPUs: g channels (rings). Each ring enters a node at one GPU, visits the
// node's GPUs over NVLink and leaves from another GPU through that GPU's NIC to the GPU with the
// same local index on the next node (same rail / plane, so no spine or PXN hop). Channel c
// enters node i at local index c + (i mod 2) (c + 2 for the last node when n is odd), so the
// rings close on the same rail, and over all channels every NIC sends and receives exactly one
// ring's share: per GPU (g - 1) / g of the bytes cross NVLink and 1 / g cross IB.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/collectives/flow_plan.hpp"

namespace llmsim {

std::size_t FlowPlan::flow_count() const {
  std::size_t n = 0;
  for (const auto& p : phases) n += p.size();
  return n;
}

std::vector<std::vector<int>> group_by_node(const std::vector<int>& group, int gpus_per_node) {
  std::vector<std::vector<int>> nodes;
  std::vector<int> node_ids;
  for (int gpu : group) {
    const int node = gpu / gpus_per_node;
    std::size_t i = 0;
    while (i < node_ids.size() && node_ids[i] != node) ++i;
    if (i == node_ids.size()) {
      node_ids.push_back(node);
      nodes.emplace_back();
    }
    nodes[i].push_back(gpu);
  }
  return nodes;
}

namespace {

// The GPU order of channel c's ring.
std::vector<int> ring_order(const std::vector<std::vector<int>>& nodes, int c) {
  const int n = static_cast<int>(nodes.size());
  const int g = static_cast<int>(nodes[0].size());
  std::vector<int> entry(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) entry[static_cast<std::size_t>(i)] = (c + i % 2) % g;
  if (n % 2 == 1 && n > 1 && g >= 3) entry[static_cast<std::size_t>(n - 1)] = (c + 2) % g;
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    const int e = entry[static_cast<std::size_t>(i)];
    const int x = entry[static_cast<std::size_t>((i + 1) % n)];  // exit: next node's entry
    // Visit e first, x last, the others in between in local order.
    order.push_back(nodes[static_cast<std::size_t>(i)][static_cast<std::size_t>(e)]);
    for (int k = 0; k < g; ++k) {
      if (k != e && k != x)
        order.push_back(nodes[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]);
    }
    if (x != e) order.push_back(nodes[static_cast<std::size_t>(i)][static_cast<std::size_t>(x)]);
  }
  return order;
}

}  // namespace

FlowPlan plan_ring(CollectiveOp op, const std::vector<int>& group, int gpus_per_node,
                   double bytes) {
  LLMSIM_CHECK(op == CollectiveOp::kAllReduce || op == CollectiveOp::kReduceScatter ||
                   op == CollectiveOp::kAllGather,
               "plan_ring takes all-reduce, reduce-scatter or all-gather");
  const int n = static_cast<int>(group.size());
  FlowPlan plan;
  plan.phases.emplace_back();
  if (n < 2) return plan;
  const int steps = op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
  const double per_edge = bytes * steps / n;  // bytes each ring edge carries in total
  const auto nodes = group_by_node(group, gpus_per_node);
  bool uniform = nodes.size() > 1;
  for (const auto& m : nodes) uniform = uniform && m.size() == nodes[0].size();
  std::vector<std::vector<int>> rings;
  if (uniform) {
    for (int c = 0; c < static_cast<int>(nodes[0].size()); ++c)
      rings.push_back(ring_order(nodes, c));
  } else {
    rings.push_back(group);
  }
  for (const auto& ring : rings) {
    for (std::size_t i = 0; i < ring.size(); ++i) {
      PlannedFlow f;
      f.src = ring[i];
      f.dst = ring[(i + 1) % ring.size()];
      f.bytes = per_edge / static_cast<double>(rings.size());
      f.latency_steps = steps;
      plan.phases[0].push_back(f);
    }
  }
  return plan;
}

}  // namespace llmsim
