// The serving estimate's behaviour: iteration times against batch (memory-bound, then
// compute-bound), the request simulation's queueing (TTFT at low load, growth past capacity),
// the KV cache as a limit on the batch, Little's law on its statistics, determinism.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/iteration_model.hpp"
#include "costmodel/estimate/serving/request_sim.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/serving/serving_metrics.hpp"
#include "costmodel/estimate/serving/traffic.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/time/calibration/profile.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

Scenario llama(std::vector<std::string> overrides = {}) {
  return load_scenario(kData + "/llama-3.1-70b-serving.yaml", overrides, kData);
}

const calibration::Profile& profile() {
  static const calibration::Profile p =
      calibration::load_profile(kData + "/calibration/h800-published.yaml");
  return p;
}

// One colocated deployment, ready to simulate.
struct Rig {
  Scenario s;
  DeploymentLayout layout;
  OperatorTimer timer;
  IterationModel model;
  explicit Rig(Scenario sc)
      : s(std::move(sc)),
        layout(layout_deployment(s.serving.deployments.front(), s.model, s.cluster, s.gpu)),
        timer(profile(), layout.cluster),
        model(layout, s.model, timer) {}

  ServingRun run(const std::vector<ServingRequest>& rs) {
    return simulate_serving(rs, {layout}, {&model}, timer, ServingSimOptions{});
  }
  double decode_iteration(double batch, double kv = 1000.0) {
    IterationLoad l;
    l.decode_seqs = batch;
    l.decode_kv = kv;
    return model.time(l).seconds;
  }
};

std::vector<ServingRequest> requests(const Scenario& s, double scale = 1.0) {
  return make_requests(s.serving.traffic, scale);
}

}  // namespace

TEST_CASE("Serving: decode is memory-bound at small batch and compute-bound at large",
          "[serving]") {
  Rig r(llama());
  // Small batch: the weights are read once per iteration whatever the batch, so doubling it
  // costs little. Large batch: the GEMMs are compute-bound, so time grows with the tokens.
  const double t1 = r.decode_iteration(1, 100), t2 = r.decode_iteration(2, 100);
  CHECK(t2 / t1 < 1.10);
  const double tb = r.decode_iteration(4096, 100), tb2 = r.decode_iteration(8192, 100);
  CHECK(tb2 / tb > 1.6);
  // Attention over a long cache is memory-bound on the KV read: it grows with the cache.
  CHECK(r.decode_iteration(64, 32000) > 1.5 * r.decode_iteration(64, 1000));
}

TEST_CASE("Serving: throughput and latency both rise with the batch", "[serving]") {
  Rig r(llama());
  double last_t = 0.0, last_tput = 0.0;
  for (double b = 1; b <= 512; b *= 2) {
    const double t = r.decode_iteration(b);
    const double tput = b / t;
    CHECK(t > last_t);
    CHECK(tput > last_tput);
    last_t = t;
    last_tput = tput;
  }
}

TEST_CASE("Serving: at low load, TTFT is one prefill", "[serving]") {
  Scenario s = llama({"serving.deployments.0.scheduler.prefill_chunk=0", "serving.traffic.lengths=fixed"});
  Rig r(s);
  ServingRequest q;
  q.arrival_s = 1.0;
  q.prompt = 3000;
  q.output = 10;
  const ServingRun run = r.run({q});
  IterationLoad l;
  l.prefill_tokens = 3000;
  l.prefill_kv = (3000 + 1) / 2.0;
  l.prefill_seqs = 1;
  const double prefill = r.model.time(l).seconds;
  CHECK(run.requests[0].first_token_s - run.requests[0].arrival_s == Approx(prefill).epsilon(1e-6));
  // Nine more tokens, one decode iteration each.
  CHECK(run.requests[0].finish_s > run.requests[0].first_token_s + 9 * r.decode_iteration(1, 3000) * 0.99);
}

TEST_CASE("Serving: past capacity the queue and TTFT grow without bound", "[serving]") {
  Scenario s = llama({"serving.traffic.requests_per_s=100", "serving.traffic.requests=1000"});
  Rig small(s);
  const ServingMetrics m1 = measure(small.run(requests(s)), s.serving.targets);
  s.serving.traffic.requests = 2000;
  Rig large(s);
  const ServingMetrics m2 = measure(large.run(requests(s)), s.serving.targets);
  // Twice the requests at the same overload: the wait roughly doubles, the queue too.
  CHECK(m2.ttft_s.p90 > 1.6 * m1.ttft_s.p90);
  CHECK(m2.peak_waiting > 1.6 * static_cast<double>(m1.peak_waiting));
  // Below capacity, a longer run does not wait longer.
  s.serving.traffic.requests_per_s = 1;
  s.serving.traffic.requests = 500;
  Rig calm(s);
  const ServingMetrics c1 = measure(calm.run(requests(s)), s.serving.targets);
  s.serving.traffic.requests = 1000;
  const ServingMetrics c2 = measure(calm.run(requests(s)), s.serving.targets);
  CHECK(c2.ttft_s.p90 < 1.3 * c1.ttft_s.p90);
}

TEST_CASE("Serving: the KV cache limits the batch", "[serving]") {
  // 78 GiB of HBM reserved for activations: about 2.5 GiB per GPU left for the cache.
  Scenario s = llama({"serving.deployments.0.scheduler.activation_reserve_gib=56",
                      "serving.traffic.requests_per_s=50", "serving.traffic.requests=600",
                      "serving.traffic.lengths=fixed", "serving.traffic.prompt_tokens=2000",
                      "serving.traffic.output_tokens=500"});
  Rig tight(s);
  const ServingRun run = tight.run(requests(s));
  std::int64_t peak_running = 0;
  for (const ServingSample& x : run.samples) peak_running = std::max(peak_running, x.running);
  const double per_request = 2501.0;
  const double fit = static_cast<double>(tight.layout.kv_tokens_per_rank) / 2000.0;
  CHECK(peak_running <= static_cast<std::int64_t>(fit) + 1);
  CHECK(peak_running < s.serving.deployments[0].scheduler.max_batch);
  const ServingMetrics m = measure(run, s.serving.targets);
  CHECK(m.peak_kv_used <= 1.0);
  CHECK(m.peak_kv_used > 0.9);
  CHECK(tight.layout.kv_tokens_per_rank < 40 * per_request);
  // All requests still finish (preempted ones are recomputed).
  for (const ServedRequest& q : run.requests) CHECK(q.finish_s >= q.first_token_s);
}

TEST_CASE("Serving: Little's law holds on the simulated statistics", "[serving]") {
  Scenario s = llama({"serving.traffic.requests=3000"});
  Rig r(s);
  const ServingMetrics m = measure(r.run(requests(s)), s.serving.targets);
  const double l = m.mean_in_system, lw = m.arrival_rate * m.mean_time_in_system_s;
  CHECK(std::fabs(l / lw - 1.0) < 0.02);
}

TEST_CASE("Serving: the same seed gives the same output bit for bit", "[serving]") {
  Scenario s = llama({"serving.traffic.requests=2000", "serving.traffic.requests_per_s=8"});
  Rig a(s), b(s);
  const ServingRun x = a.run(requests(s)), y = b.run(requests(s));
  REQUIRE(x.requests.size() == y.requests.size());
  bool same = true;
  for (std::size_t i = 0; i < x.requests.size(); ++i) {
    same = same && x.requests[i].first_token_s == y.requests[i].first_token_s &&
           x.requests[i].finish_s == y.requests[i].finish_s;
  }
  CHECK(same);
  s.serving.traffic.seed = 2;
  Rig c(s);
  const ServingRun z = c.run(requests(s));
  CHECK(z.requests[0].arrival_s != x.requests[0].arrival_s);
}

TEST_CASE("Serving: limits hold with a clear error", "[serving]") {
  Rig r(llama({"serving.traffic.requests=200"}));
  ServingSimOptions o;
  o.max_iterations = 1000;
  CHECK_THROWS_WITH(simulate_serving(requests(r.s), {r.layout}, {&r.model}, r.timer, o),
                    Catch::Contains("more than 1000 iterations"));
  // Arrivals past 1e9 s of simulated time are refused before the simulation starts.
  ServingTraffic t = r.s.serving.traffic;
  t.requests_per_s = 1e-7;
  CHECK_THROWS_WITH(make_requests(t), Catch::Contains("beyond the 1e+09 s"));
  // A sequence whose whole cache cannot fit in its unit is refused, not preempted forever.
  ServingRequest q;
  q.prompt = 10;
  q.output = 16'000'000;
  CHECK_THROWS_WITH(r.run({q}), Catch::Contains("needs more KV cache than a unit"));
}
