// All-to-all (every GPU sends bytes / N to every other GPU, all at once, as NCCL's grouped
// send/recv does) and point-to-point.

#include "sim/collectives/flow_plan.hpp"

namespace llmsim {

FlowPlan plan_all_to_all(const std::vector<int>& group, double bytes) {
  FlowPlan plan;
  plan.phases.emplace_back();
  const auto n = group.size();
  auto& flows = plan.phases[0];
  flows.reserve(n * (n - 1));
  for (int src : group) {
    for (int dst : group) {
      if (src == dst) continue;
      PlannedFlow f;
      f.src = src;
      f.dst = dst;
      f.bytes = bytes / static_cast<double>(n);
      flows.push_back(f);
    }
  }
  return plan;
}

FlowPlan plan_p2p(int src, int dst, double bytes) {
  FlowPlan plan;
  PlannedFlow f;
  f.src = src;
  f.dst = dst;
  f.bytes = bytes;
  plan.phases.push_back({f});
  return plan;
}

}  // namespace llmsim
