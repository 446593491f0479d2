// DualPipe (DeepSeek-V3 report, arXiv:2412.19437, section 3.2.1 and Figure 5; reference
// implementation deepseek-ai/DualPipe): pp ranks, two directions of m/2 micro-batches each,
// direction 0 entering at rank 0 and direction 1 at rank pp-1. Rank r holds stage r (for
// direction 0) and stage pp-1-r (direction 1), so it keeps two copies of a stage's
// parameters. Bubble (pp/2-1)(F&B + B - 3W) with B a full backward (report Table 2).

#include <algorithm>

#include "sim/pipeline/schedules/dualpipe_steps.hpp"
#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_dualpipe(int pp, int m) {
  PipelinePlan p;
  p.method = ScheduleMethod::kDualPipe;
  p.pp = pp;
  p.micro_batches = m;
  p.num_dirs = 2;
  p.num_stages = pp;
  p.stage_rank.assign(2, std::vector<int>(pp));
  for (int s = 0; s < pp; ++s) {
    p.stage_rank[0][s] = s;
    p.stage_rank[1][s] = pp - 1 - s;
  }
  p.ops.resize(pp);
  const int half = pp / 2;
  for (int r = 0; r < pp; ++r) {
    schedule_detail::DualPipeRankShape shape;
    shape.n = half;
    shape.h = std::min(r, pp - 1 - r);
    shape.c = m / 2;
    shape.unoverlapped_first_pair = (r == half - 1 || r == half);
    // Phase 0 is the direction that reaches the rank first.
    const MicroStage dir0 = ms(0, r, 0);
    const MicroStage dir1 = ms(0, pp - 1 - r, 1);
    shape.phase[0] = r < half ? dir0 : dir1;
    shape.phase[1] = r < half ? dir1 : dir0;
    p.ops[r].reserve(3 * static_cast<std::size_t>(m));
    schedule_detail::append_dualpipe_rank(shape, p.ops[r]);
  }
  return p;
}

}  // namespace llmsim
