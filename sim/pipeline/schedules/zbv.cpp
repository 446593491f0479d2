// ZB-V (Qi et al., "Pipeline Parallelism with Controllable Memory", NeurIPS 2024; zero-bubble
// repository's V schedule): 2*pp stages in a V, rank r holding stage r and 2pp-1-r, backward
// split into B and W. Each stage is half of a 1F1B stage, so a cap of 2*pp in-flight chunk
// activations per rank equals 1F1B's peak of pp full stages. Order by the greedy scheduler.

#include "sim/pipeline/schedules/greedy_zero_bubble.hpp"
#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

PipelinePlan make_zbv(int pp, int m) {
  PipelinePlan p = schedule_detail::v_plan(ScheduleMethod::kZBV, pp, m);
  const std::vector<int> cap(pp, 2 * pp);
  schedule_detail::fill_greedy_zero_bubble(p, cap);
  return p;
}

}  // namespace llmsim
