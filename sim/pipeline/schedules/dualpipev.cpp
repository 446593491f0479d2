// DualPipeV, the "cut-in-half" DualPipe (Sea AI Lab; deepseek-ai/DualPipe, DualPipeV): pp
// ranks, 2*pp stages in a V. Rank r holds stage r (phase 0, going down) and stage 2pp-1-r
// (phase 1, coming back up); all m micro-batches enter at rank 0 and the last rank turns
// phase-0 outputs into phase-1 inputs locally. DualPipe's steps with n = pp, h = r, c = m;
// the last rank runs its first F&B without overlap.

#include "sim/pipeline/schedules/dualpipe_steps.hpp"
#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_dualpipev(int pp, int m) {
  PipelinePlan p = schedule_detail::v_plan(ScheduleMethod::kDualPipeV, pp, m);
  for (int r = 0; r < pp; ++r) {
    schedule_detail::DualPipeRankShape shape;
    shape.n = pp;
    shape.h = r;
    shape.c = m;
    shape.unoverlapped_first_pair = (r == pp - 1);
    shape.phase[0] = ms(0, r);
    shape.phase[1] = ms(0, 2 * pp - 1 - r);
    p.ops[r].reserve(3 * static_cast<std::size_t>(m));
    schedule_detail::append_dualpipe_rank(shape, p.ops[r]);
  }
  return p;
}

}  // namespace llmsim
