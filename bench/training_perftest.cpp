// training_perftest: how fast a whole scenario is costed. Times `estimate_run` on the
// DeepSeek-V3 scenario (every phase, the batch ramp's steps) and a 100-point what-if grid
// (schedule x precision x recomputation x expert parallelism), as `llmsim compare --vary`
// runs it. Targets: one scenario under 1 s, the grid under 30 s on this machine.

#include "bench/bench_main.hpp"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"

using namespace llmsim;

int run(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : LLMSIM_SOURCE_DIR "/scenarios";
  const std::string file = data + "/deepseek-v3-pretrain.yaml";
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };

  std::vector<double> single;
  double gpu_hours = 0.0;
  std::size_t phases = 0;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = clock::now();
    const Scenario s = load_scenario(file, {}, data);
    const RunEstimate r = estimate_run(s, scenario_profile(s));
    single.push_back(seconds(t0, clock::now()));
    gpu_hours = r.total_gpu_hours;
    phases = r.phases.size();
  }
  std::sort(single.begin(), single.end());
  std::printf("one scenario (DeepSeek-V3, %zu phases incl. %d ramp steps): median %.3f s "
              "(total GPU-hours %.4g)\n",
              phases, kRampSegments, single[1], gpu_hours);

  const char* schedules[] = {"gpipe", "1f1b", "zb1p", "zb2p", "dualpipe"};
  const char* precisions[] = {"fp8", "bf16"};
  const char* recompute[] = {"selective", "full"};
  const int eps[] = {8, 16, 32, 64, 128};
  int points = 0;
  const auto g0 = clock::now();
  for (const char* sch : schedules) {
    for (const char* pr : precisions) {
      for (const char* rc : recompute) {
        for (int ep : eps) {
          const std::vector<std::string> set = {
              std::string("parallelism.schedule=") + sch, std::string("precision=") + pr,
              std::string("training.recompute=") + rc, "parallelism.ep=" + std::to_string(ep)};
          const Scenario s = load_scenario(file, set, data);
          estimate_run(s, scenario_profile(s));
          ++points;
        }
      }
    }
  }
  const double grid = seconds(g0, clock::now());
  std::printf("%d-point grid: %.2f s (%.3f s per point); ratios in this run: per-point / single "
              "= %.2f, grid / 30 s target = %.2f, single / 1 s target = %.2f\n",
              points, grid, grid / points, grid / points / single[1], grid / 30.0, single[1]);
  return 0;
}

int main(int argc, char** argv) {
  return llmsim::bench::guarded_main("training_perftest", run, argc, argv);
}
