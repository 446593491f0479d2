#include "sim/pipeline/schedules/plan_builder.hpp"

namespace llmsim::schedule_detail {

PipelinePlan linear_plan(ScheduleMethod method, int pp, int micro_batches, int chunks) {
  PipelinePlan p;
  p.method = method;
  p.pp = pp;
  p.micro_batches = micro_batches;
  p.vpp = chunks;
  p.num_dirs = 1;
  p.num_stages = pp * chunks;
  p.stage_rank.assign(1, std::vector<int>(p.num_stages));
  for (int s = 0; s < p.num_stages; ++s) p.stage_rank[0][s] = s % pp;
  p.ops.resize(pp);
  return p;
}

PipelinePlan v_plan(ScheduleMethod method, int pp, int micro_batches) {
  PipelinePlan p;
  p.method = method;
  p.pp = pp;
  p.micro_batches = micro_batches;
  p.vpp = 2;
  p.num_dirs = 1;
  p.num_stages = 2 * pp;
  p.stage_rank.assign(1, std::vector<int>(p.num_stages));
  for (int r = 0; r < pp; ++r) {
    p.stage_rank[0][r] = r;
    p.stage_rank[0][2 * pp - 1 - r] = r;
  }
  p.ops.resize(pp);
  return p;
}

}  // namespace llmsim::schedule_detail
