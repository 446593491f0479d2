// 1F1B (PipeDream-Flush; Narayanan et al., SC'21) in Megatron-LM's order: rank r warms up
// with min(pp-r-1, m) forwards, then alternates one forward and one full backward, then
// drains the remaining backwards.

#include <algorithm>

#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_1f1b(int pp, int m) {
  PipelinePlan p = schedule_detail::linear_plan(ScheduleMethod::k1F1B, pp, m, 1);
  for (int r = 0; r < pp; ++r) {
    auto& ops = p.ops[r];
    ops.reserve(2 * static_cast<std::size_t>(m));
    const int warmup = std::min(pp - r - 1, m);
    for (int i = 0; i < warmup; ++i) ops.push_back(PipelineOp::make(OpKind::F, ms(i, r)));
    for (int i = 0; i < m - warmup; ++i) {
      ops.push_back(PipelineOp::make(OpKind::F, ms(warmup + i, r)));
      ops.push_back(PipelineOp::make(OpKind::BW, ms(i, r)));
    }
    for (int i = m - warmup; i < m; ++i) ops.push_back(PipelineOp::make(OpKind::BW, ms(i, r)));
  }
  return p;
}

}  // namespace llmsim
