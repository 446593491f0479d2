// pipeline_perftest: how fast the schedule generators and the pipeline executor run.
// Prints operations simulated per second (target: 2 million on one core) for DualPipe
// PP=16 with 512 micro-batches and 1F1B PP=64 with 4096 micro-batches, and the ratios
// between the cases measured in this run.

#include <chrono>
#include <cstdio>
#include <vector>

#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

using namespace llmsim;

namespace {

struct Figure {
  const char* name;
  double gen_ops_per_s;
  double sim_ops_per_s;
  double events_per_s;
};

Figure measure(const char* name, ScheduleRequest req, int repeats) {
  using clock = std::chrono::steady_clock;
  PipelineCosts costs;
  costs.stages[0].f = SimTime::from_us(10);
  costs.stages[0].b = SimTime::from_us(11);
  costs.stages[0].w = SimTime::from_us(7);
  costs.p2p_latency = SimTime::from_us(1);
  double gen_s = 0, sim_s = 0;
  std::size_t ops = 0;
  std::uint64_t events = 0;
  SimTime check;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = clock::now();
    const PipelinePlan plan = make_schedule(req);
    const auto t1 = clock::now();
    const PipelineResult r = run_pipeline(plan, costs);
    const auto t2 = clock::now();
    gen_s += std::chrono::duration<double>(t1 - t0).count();
    sim_s += std::chrono::duration<double>(t2 - t1).count();
    ops += plan.total_ops();
    events += r.events;
    check = r.makespan;
  }
  std::printf("%-28s %9zu ops/run  makespan %.1f us  generate %6.2f M ops/s  simulate %6.2f M "
              "ops/s  (%6.2f M events/s)\n",
              name, ops / repeats, check.us(), ops / gen_s / 1e6, ops / sim_s / 1e6,
              events / sim_s / 1e6);
  return Figure{name, ops / gen_s, ops / sim_s, events / sim_s};
}

}  // namespace

int main() {
  std::printf("pipeline_perftest: one core, Release build\n");
  const Figure a = measure("DualPipe PP=16 M=512", {ScheduleMethod::kDualPipe, 16, 512, 1}, 20);
  const Figure b = measure("1F1B PP=64 M=4096", {ScheduleMethod::k1F1B, 64, 4096, 1}, 3);
  const Figure c = measure("ZB-V PP=16 M=512", {ScheduleMethod::kZBV, 16, 512, 1}, 5);
  std::printf("ratios (same run): simulate DualPipe / 1F1B = %.2f; ZB-V / 1F1B = %.2f; "
              "1F1B simulate / 2M target = %.2f\n",
              a.sim_ops_per_s / b.sim_ops_per_s, c.sim_ops_per_s / b.sim_ops_per_s,
              b.sim_ops_per_s / 2e6);
  return 0;
}
