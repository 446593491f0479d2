// GPipe (Huang et al., "GPipe", NeurIPS 2019): every rank runs all forwards, then all full
// backwards, micro-batches in order (the order of PyTorch's ScheduleGPipe).

#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_gpipe(int pp, int m) {
  PipelinePlan p = schedule_detail::linear_plan(ScheduleMethod::kGPipe, pp, m, 1);
  for (int r = 0; r < pp; ++r) {
    auto& ops = p.ops[r];
    ops.reserve(2 * static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) ops.push_back(PipelineOp::make(OpKind::F, ms(i, r)));
    for (int i = 0; i < m; ++i) ops.push_back(PipelineOp::make(OpKind::BW, ms(i, r)));
  }
  return p;
}

}  // namespace llmsim
