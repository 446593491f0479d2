#include <catch2/catch.hpp>

#include <vector>

#include "sim/pipeline/op_dependencies.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

using namespace llmsim;

namespace {

// 1F1B, pp = 2, m = 2, F = 10, B = 12, W = 8 (BW = 20) us, free transfers. Rank 0 runs
// F0 [0,10], F1 [10,20], BW0 [40,60], BW1 [70,90]; rank 1 runs F0 [10,20], BW0 [20,40],
// F1 [40,50], BW1 [50,70].
PipelineCosts small_costs() {
  PipelineCosts c;
  c.stages = {StageCost{SimTime::from_ns(10000), SimTime::from_ns(12000), SimTime::from_ns(8000),
                        std::nullopt}};
  return c;
}

}  // namespace

TEST_CASE("OpDependencies: a forward feeds the next stage, the last forward its backward",
          "[sim][pipeline]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 2, 2, 1});
  const OpDependencies d(p);
  // Rank 1's first op is F0 of stage 1: it waits for rank 0's F0 and feeds its own BW0.
  REQUIRE(p.ops[1][0].kind == OpKind::F);
  const auto in = d.inputs({1, 0});
  REQUIRE(in.size() == 1);
  CHECK(in[0].from == OpRef{0, 0});
  CHECK(in[0].kind == DependencyKind::kForward);
  const auto out = d.outputs({1, 0});
  REQUIRE(out.size() == 1);
  CHECK(out[0].to == OpRef{1, 1});
  CHECK(out[0].kind == DependencyKind::kTurn);
  // Rank 1's BW0 feeds rank 0's BW0 (index 2 on rank 0).
  const auto back = d.outputs({1, 1});
  REQUIRE(back.size() == 1);
  CHECK(back[0].to == OpRef{0, 2});
  CHECK(back[0].kind == DependencyKind::kBackward);
  // Per micro-batch: one F -> F, one turn, one B -> B.
  CHECK(d.all(false).size() == 6);
}

TEST_CASE("OpDependencies: a deferred W waits for its own B", "[sim][pipeline]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kZB1P, 4, 8, 1});
  const OpDependencies d(p);
  std::size_t ws = 0;
  for (int r = 0; r < p.pp; ++r) {
    for (std::size_t i = 0; i < p.ops[r].size(); ++i) {
      if (p.ops[r][i].kind != OpKind::W) continue;
      ++ws;
      const auto in = d.inputs({r, i});
      REQUIRE(in.size() == 1);
      CHECK(in[0].kind == DependencyKind::kWeight);
      CHECK(in[0].from.rank == r);
      CHECK(p.ops[r][in[0].from.index].kind == OpKind::B);
      CHECK(p.ops[r][in[0].from.index].first == p.ops[r][i].first);
      CHECK(in[0].from.index < i);
    }
  }
  CHECK(ws == 32);
  CHECK(d.all(true).size() == d.all(false).size() + ws);
}

TEST_CASE("critical_path: the chain that sets the makespan, by hand", "[sim][pipeline]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 2, 2, 1});
  const PipelineResult r = run_pipeline(p, small_costs());
  REQUIRE(r.makespan.us() == Approx(90));
  const auto path = critical_path(p, r, OpDependencies(p));
  // Rank 0 BW1 [70,90] <- rank 1 BW1 [50,70] <- rank 1 F1 [40,50] <- rank 1 BW0 [20,40]
  // <- rank 1 F0 [10,20] <- rank 0 F0 [0,10].
  const std::vector<OpRef> expected{{0, 3}, {1, 3}, {1, 2}, {1, 1}, {1, 0}, {0, 0}};
  CHECK(path == expected);
}

TEST_CASE("critical_path: without transfer costs, back-to-back from 0 to the makespan",
          "[sim][pipeline]") {
  for (ScheduleMethod m : {ScheduleMethod::kGPipe, ScheduleMethod::k1F1B, ScheduleMethod::kZB1P,
                           ScheduleMethod::kZBV, ScheduleMethod::kDualPipe,
                           ScheduleMethod::kDualPipeV}) {
    const PipelinePlan p = make_schedule({m, 4, 16, 1});
    const PipelineResult r = run_pipeline(p, small_costs());
    const auto path = critical_path(p, r, OpDependencies(p));
    INFO(schedule_method_name(m));
    REQUIRE(!path.empty());
    CHECK(r.timing[path.front().rank][path.front().index].end == r.makespan);
    CHECK(r.timing[path.back().rank][path.back().index].start == SimTime::zero());
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      CHECK(r.timing[path[i + 1].rank][path[i + 1].index].end ==
            r.timing[path[i].rank][path[i].index].start);
    }
  }
}
