// Hierarchical all-reduce: reduce-scatter inside each node over NVLink, all-reduce of each
// GPU's 1/g share across nodes over IB (one ring per local index, i.e. per rail), all-gather
// inside each node. Three phases with barriers between them.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/collectives/flow_plan.hpp"

namespace llmsim {

FlowPlan plan_hierarchical_all_reduce(const std::vector<int>& group, int gpus_per_node,
                                      double bytes) {
  const auto nodes = group_by_node(group, gpus_per_node);
  const int n = static_cast<int>(nodes.size());
  const int g = static_cast<int>(nodes[0].size());
  for (const auto& m : nodes) {
    if (static_cast<int>(m.size()) != g) {
      throw UserError("hierarchical all-reduce needs the same number of GPUs on every node");
    }
  }
  FlowPlan plan;
  std::vector<PlannedFlow> intra;
  if (g > 1) {
    for (const auto& m : nodes) {
      for (int i = 0; i < g; ++i) {
        PlannedFlow f;
        f.src = m[static_cast<std::size_t>(i)];
        f.dst = m[static_cast<std::size_t>((i + 1) % g)];
        f.bytes = bytes * (g - 1) / g;
        f.latency_steps = g - 1;
        intra.push_back(f);
      }
    }
  }
  plan.phases.push_back(intra);
  std::vector<PlannedFlow> inter;
  if (n > 1) {
    for (int l = 0; l < g; ++l) {
      for (int i = 0; i < n; ++i) {
        PlannedFlow f;
        f.src = nodes[static_cast<std::size_t>(i)][static_cast<std::size_t>(l)];
        f.dst = nodes[static_cast<std::size_t>((i + 1) % n)][static_cast<std::size_t>(l)];
        f.bytes = bytes / g * 2.0 * (n - 1) / n;
        f.latency_steps = 2 * (n - 1);
        inter.push_back(f);
      }
    }
  }
  plan.phases.push_back(inter);
  plan.phases.push_back(intra);
  return plan;
}

}  // namespace llmsim
