#include <catch2/catch.hpp>

#include "sim/check.hpp"
#include "sim/engine.hpp"
#include "sim/observer.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

using namespace llmsim;

TEST_CASE("PipelineExecutor: two ranks, hand-worked timeline with transfers", "[sim]") {
  // 1F1B, pp = 2, m = 2. F = 10, BW = 20 (B 12 + W 8), transfer = 3 + 1000 B / 1e9 B/s = 4 us.
  // Rank 0: F0 [0,10], F1 [10,20]; rank 1: F0 [14,24], BW0 [24,44], F1 [44,54] (input at 24),
  // BW1 [54,74]. Rank 0: BW0 needs rank 1's gradient at 44 + 4 = 48: [48,68]; BW1 at 78: [78,98].
  PipelineCosts c;
  c.stages[0].f = SimTime::from_us(10);
  c.stages[0].b = SimTime::from_us(12);
  c.stages[0].w = SimTime::from_us(8);
  c.p2p_latency = SimTime::from_us(3);
  c.p2p_bytes = 1000;
  c.p2p_bytes_per_second = 1e9;
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 2, 2, 1});
  const PipelineResult r = run_pipeline(p, c);
  auto span = [&](int rank, int i) {
    return std::make_pair(r.timing[rank][i].start.us(), r.timing[rank][i].end.us());
  };
  CHECK(span(0, 0) == std::make_pair(0.0, 10.0));
  CHECK(span(0, 1) == std::make_pair(10.0, 20.0));
  CHECK(span(1, 0) == std::make_pair(14.0, 24.0));
  CHECK(span(1, 1) == std::make_pair(24.0, 44.0));
  CHECK(span(1, 2) == std::make_pair(44.0, 54.0));
  CHECK(span(1, 3) == std::make_pair(54.0, 74.0));
  CHECK(span(0, 2) == std::make_pair(48.0, 68.0));
  CHECK(span(0, 3) == std::make_pair(78.0, 98.0));
  CHECK(r.makespan.us() == 98.0);
  CHECK(r.ranks[0].busy.us() == 60.0);
  CHECK(r.ranks[0].bubble.us() == 38.0);
  CHECK(r.ranks[1].bubble.us() == 38.0);
  CHECK(r.ranks[0].peak_activations == 2);
  CHECK(r.ranks[1].peak_activations == 1);
}

TEST_CASE("PipelineExecutor: explicit BW and FB costs override the sums", "[sim]") {
  PipelineCosts c;
  c.stages[0].f = SimTime::from_us(10);
  c.stages[0].b = SimTime::from_us(10);
  c.stages[0].w = SimTime::from_us(10);
  CHECK(c.duration(PipelineOp::make(OpKind::BW, {})).us() == 20.0);
  CHECK(c.duration(PipelineOp::make_fb({}, {})).us() == 30.0);
  c.stages[0].bw = SimTime::from_us(15);
  c.fb = SimTime::from_us(22);
  CHECK(c.duration(PipelineOp::make(OpKind::BW, {})).us() == 15.0);
  CHECK(c.duration(PipelineOp::make_fb({}, {})).us() == 22.0);
  // Overlap that saves time shortens DualPipe's makespan.
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 4, 16, 1});
  PipelineCosts slow = c, fast = c;
  slow.fb.reset();
  slow.stages[0].bw.reset();
  fast.stages[0].bw.reset();
  fast.fb = SimTime::from_us(20);
  CHECK(run_pipeline(p, fast).makespan < run_pipeline(p, slow).makespan);
}

TEST_CASE("PipelineExecutor: per-stage costs and their validation", "[sim]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 3, 6, 1});
  PipelineCosts c;
  c.stages.assign(3, StageCost{});
  c.stages[1].f = SimTime::from_us(5);  // a slow middle stage sets the pace
  const double slow = run_pipeline(p, c).makespan.us();
  c.stages[1].f = SimTime::from_us(1);
  CHECK(run_pipeline(p, c).makespan.us() < slow);
  c.stages.assign(2, StageCost{});
  CHECK_THROWS_AS(run_pipeline(p, c), UserError);
  c.stages.assign(1, StageCost{});
  c.stages[0].f = SimTime::from_us(-1);
  CHECK_THROWS_AS(run_pipeline(p, c), UserError);
}

TEST_CASE("PipelineExecutor: an order that cannot run is reported, not hung", "[sim]") {
  PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 2, 2, 1});
  // Rank 1 runs the backward of micro-batch 0 before its forward: impossible.
  std::swap(p.ops[1][0], p.ops[1][1]);
  CHECK_THROWS_AS(run_pipeline(p, PipelineCosts{}), InternalError);
}

TEST_CASE("PipelineExecutor: runs are deterministic and observers see every op", "[sim]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 8, 20, 1});
  PipelineCosts c;
  c.stages[0].f = SimTime::from_us(7);
  c.stages[0].b = SimTime::from_us(9);
  c.stages[0].w = SimTime::from_us(4);
  c.p2p_latency = SimTime::from_us(2);
  struct Counter : Observer {
    std::size_t tasks = 0, transfers = 0;
    void on_task(const TaskRecord&) override { ++tasks; }
    void on_transfer(const TransferRecord&) override { ++transfers; }
  };
  std::uint64_t fp[2];
  for (int i = 0; i < 2; ++i) {
    Engine e;
    FingerprintObserver f;
    Counter count;
    e.observers().add(&f);
    e.observers().add(&count);
    run_pipeline(p, c, e);
    fp[i] = f.value();
    CHECK(count.tasks == p.total_ops());
    // Every forward and backward output crosses to a neighbour except at the two ends.
    CHECK(count.transfers == static_cast<std::size_t>(2 * 20 * 7));
  }
  CHECK(fp[0] == fp[1]);
}
