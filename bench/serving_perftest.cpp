// serving_perftest: how fast the request-level serving simulation runs, on one core.
//   1. 10,000 requests through Llama-3.1-70B on 8 H100 (TP8, colocated, chunked prefill):
//      target under 1 s, the iteration model's grid included.
//   2. 1,000,000 requests through DeepSeek-V3's 18-node decode deployment (EP144, MTP,
//      decode only) at 6x the scenario's load, near its capacity: target under 60 s.
// Prints wall time, simulated requests per wall second and iterations per wall second.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/iteration_model.hpp"
#include "costmodel/estimate/serving/request_sim.hpp"
#include "costmodel/estimate/serving/serving_metrics.hpp"
#include "costmodel/estimate/serving/traffic.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Simulates `requests` of scenario `file` through its deployment `index` alone (`path`).
void bench(const std::string& label, const std::string& data, const std::string& file,
           std::vector<std::string> overrides, std::size_t index, ServingPath path,
           double target_s) {
  const Scenario s = load_scenario(data + "/" + file, overrides, data);
  const calibration::Profile profile = calibration::load_profile(s.calibration_file);
  const std::vector<ServingRequest> rs = make_requests(s.serving.traffic);
  const auto t0 = Clock::now();
  const DeploymentLayout layout =
      layout_deployment(s.serving.deployments[index], s.model, s.cluster, s.gpu);
  OperatorTimer timer(profile, layout.cluster);
  IterationModel model(layout, s.model, timer);
  ServingSimOptions o;
  o.path = path;
  const ServingRun run = simulate_serving(rs, {layout}, {&model}, timer, o);
  const double wall = since(t0);
  const ServingMetrics m = measure(run, s.serving.targets);
  const auto iterations = static_cast<double>(run.deployments.front().iterations);
  std::printf("%s: %zu requests in %.3f s wall (target %.0f s: %s); %.0f requests/s, %.0f "
              "iterations/s, %.0f iterations; simulated %.0f s, TPOT p50 %.4f s\n",
              label.c_str(), rs.size(), wall, target_s, wall < target_s ? "met" : "MISSED",
              static_cast<double>(rs.size()) / wall, iterations / wall, iterations, m.duration_s,
              m.tpot_s.p50);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : LLMSIM_SOURCE_DIR "/scenarios";
  try {
    bench("llama-3.1-70b on 8 H100, colocated", data, "llama-3.1-70b-serving.yaml",
          {"serving.traffic.requests=10000"}, 0, ServingPath::kFull, 1.0);
    bench("deepseek-v3 decode, 18 nodes EP144", data, "deepseek-v3-serving.yaml",
          {"serving.traffic.requests=1000000", "serving.traffic.requests_per_s=300"}, 1,
          ServingPath::kDecodeOnly, 60.0);
  } catch (const UserError& e) {
    std::fprintf(stderr, "serving_perftest: %s\n", e.what());
    return 2;
  }
  return 0;
}
