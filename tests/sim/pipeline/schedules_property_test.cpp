// Schedule generators and the pipeline executor on generated requests and costs (RapidCheck):
// every operation of every micro-batch runs exactly once on the rank holding its stage, with
// its dependencies respected (testing::check_execution); the same request gives the same plan
// and the same run.

#include <algorithm>
#include <vector>

#include <rapidcheck/catch.h>

#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/schedules/schedule.hpp"
#include "tests/sim/pipeline/execution_check.hpp"

namespace llmsim {
namespace {

// A request make_schedule accepts, of any method: pp up to 10, up to 48 micro-batches.
rc::Gen<ScheduleRequest> requests() {
  const auto method = rc::gen::element(
      ScheduleMethod::kGPipe, ScheduleMethod::k1F1B, ScheduleMethod::kInterleaved1F1B,
      ScheduleMethod::kZB1P, ScheduleMethod::kZB2P, ScheduleMethod::kZBV,
      ScheduleMethod::kDualPipe, ScheduleMethod::kDualPipeV);
  return rc::gen::mapcat(method, [](ScheduleMethod m) {
    return rc::gen::map(
        rc::gen::tuple(rc::gen::inRange(1, 11), rc::gen::inRange(1, 25), rc::gen::inRange(2, 5)),
        [m](const std::tuple<int, int, int>& t) {
          const auto [pp, k, vpp] = t;
          ScheduleRequest r;
          r.method = m;
          r.pp = pp;
          r.micro_batches = 2 * k;
          switch (m) {
            case ScheduleMethod::kInterleaved1F1B:  // a multiple of pp, 2 to 4 chunks a rank
              r.micro_batches = pp * std::max(1, k / 4);
              r.vpp = vpp;
              break;
            case ScheduleMethod::kDualPipe:  // even pp, an even count of at least 2 pp
              r.pp = 2 * std::max(1, pp / 2);
              r.micro_batches = 2 * r.pp + 2 * k;
              break;
            case ScheduleMethod::kDualPipeV: r.micro_batches = 2 * pp + k; break;  // >= 2 pp
            default: r.micro_batches = k + pp % 3; break;  // odd and even counts, from 1
          }
          return r;
        });
  });
}

// Per-stage costs from 1 to 50 us, sometimes a fused backward; a p2p latency of 0 to 5 us.
PipelineCosts costs(int stages) {
  const auto us = [] { return SimTime::from_us(*rc::gen::inRange(1, 51)); };
  PipelineCosts c;
  c.stages.assign(static_cast<std::size_t>(stages), StageCost{});
  for (StageCost& s : c.stages) {
    s.f = us();
    s.b = us();
    s.w = us();
    if (*rc::gen::inRange(0, 4) == 0) s.bw = us();
  }
  c.p2p_latency = SimTime::from_us(*rc::gen::inRange(0, 6));
  return c;
}

TEST_CASE("Schedules: generated requests run every operation once, in dependency order, the "
          "same way twice",
          "[sim][schedule][property]") {
  rc::prop("every schedule's execution keeps its invariants and repeats exactly", [] {
    const ScheduleRequest request = *requests();
    RC_TAG(schedule_method_name(request.method));
    const PipelinePlan plan = make_schedule(request);
    const PipelineCosts c = costs(plan.num_stages);
    const PipelineResult res = run_pipeline(plan, c);
    RC_ASSERT(testing::check_execution(plan, c, res) == "");
    // Same input, same output: the plan, every operation's timing, the makespan.
    const PipelinePlan again = make_schedule(request);
    RC_ASSERT(again.ops == plan.ops);
    RC_ASSERT(again.stage_rank == plan.stage_rank);
    const PipelineResult rerun = run_pipeline(again, c);
    RC_ASSERT(rerun.makespan == res.makespan);
    RC_ASSERT(rerun.events == res.events);
    for (std::size_t r = 0; r < res.timing.size(); ++r) {
      for (std::size_t i = 0; i < res.timing[r].size(); ++i) {
        RC_ASSERT(rerun.timing[r][i].start == res.timing[r][i].start);
        RC_ASSERT(rerun.timing[r][i].end == res.timing[r][i].end);
      }
    }
  });
}

}  // namespace
}  // namespace llmsim
