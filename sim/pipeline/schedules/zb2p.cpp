// ZB-H2 / ZB2P (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, section 3.1): more
// warm-up forwards than 1F1B, so that the first rank has work until the first gradient
// returns, with B and W split. Rank r may hold up to 2(pp-r)-1 micro-batches' activations
// (the paper's ZB-H2 memory, about twice 1F1B's); the order is found by the greedy scheduler.

#include <algorithm>

#include "sim/pipeline/schedules/greedy_zero_bubble.hpp"
#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

PipelinePlan make_zb2p(int pp, int m) {
  PipelinePlan p = schedule_detail::linear_plan(ScheduleMethod::kZB2P, pp, m, 1);
  std::vector<int> cap(pp);
  for (int r = 0; r < pp; ++r) cap[r] = std::min(m, 2 * (pp - r) - 1);
  schedule_detail::fill_greedy_zero_bubble(p, cap);
  return p;
}

}  // namespace llmsim
