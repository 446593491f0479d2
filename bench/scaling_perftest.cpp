// scaling_perftest: llmsim's own run time for one training step as the cluster grows. Costs
// the DeepSeek-V3 scenario (one pre-training phase, 32 micro-batches per pipeline) on 2,048 to
// 262,144 H800s, dp growing with the cluster (pp 16, ep 64 as published), and prints each
// size's time (median of 3) and its ratio to the size before. Target (issue #18): no ratio of
// 10 or more between neighbouring sizes; the largest is printed last. A collective whose flow
// plan is small is simulated flow by flow; a large one takes the closed form
// (sim/collectives/collective_runner.hpp, kFlowModeMaxFlows), so the cost of the largest flow
// simulation below the switch is what a neighbour ratio measures.

#include "bench/bench_main.hpp"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

// The scenario on `gpus` GPUs: 8 per node, dp = gpus / 16, a global batch of 32 sequences per
// pipeline (DualPipe's 2 x pp micro-batches), no batch ramp.
std::vector<std::string> overrides(int gpus) {
  const int dp = gpus / 16;
  return {"cluster.nodes=" + std::to_string(gpus / 8), "parallelism.dp=" + std::to_string(dp),
          "training.phases=[{name: pre-training, tokens: 14.8e12, seq_len: 4096, global_batch: " +
              std::to_string(32 * dp) + "}]"};
}

int run(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : LLMSIM_SOURCE_DIR "/scenarios";
  const std::string file = data + "/deepseek-v3-pretrain.yaml";
  using clock = std::chrono::steady_clock;
  std::printf("%9s %10s %10s %8s\n", "GPUs", "time (s)", "step (s)", "ratio");
  double previous = 0.0, worst = 0.0;
  int worst_gpus = 0;
  for (int gpus = 2048; gpus <= 262144; gpus *= 2) {
    std::vector<double> t;
    double step = 0.0;
    for (int i = 0; i < 3; ++i) {
      const auto t0 = clock::now();
      const Scenario s = load_scenario(file, overrides(gpus), data);
      const RunEstimate r = estimate_run(s, scenario_profile(s));
      t.push_back(std::chrono::duration<double>(clock::now() - t0).count());
      step = r.phases.front().step.step_time_s;
    }
    std::sort(t.begin(), t.end());
    // The ratio either way: a drop is as much a cliff as a jump.
    const double ratio = previous > 0.0 ? std::max(t[1] / previous, previous / t[1]) : 0.0;
    if (ratio > worst) {
      worst = ratio;
      worst_gpus = gpus;
    }
    std::printf("%9d %10.3f %10.4f %8.2f\n", gpus, t[1], step, ratio);
    previous = t[1];
  }
  std::printf("largest ratio between neighbouring sizes: %.2f (%d GPUs and half as many); "
              "target below 10\n",
              worst, worst_gpus);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return llmsim::bench::guarded_main("scaling_perftest", run, argc, argv);
}
