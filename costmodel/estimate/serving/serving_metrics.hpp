#pragma once
// What a simulated serving run measured: latency percentiles, throughput, goodput within the
// latency targets, the cache and the queue, and Little's law as a check on the bookkeeping.
//
// TTFT: arrival to first token (decode-only runs: arrival to admission into decoding).
// TPOT: (finish - first token) / (output tokens - 1), requests with two or more tokens.
// A request meets the targets when its TTFT and TPOT are both within them (a target of 0 is
// no target). SLO attainment: the share of requests that do (DistServe, Zhong et al. OSDI
// 2024, section 2.2).

#include <cstdint>
#include <vector>

#include "costmodel/describe/serving.hpp"
#include "costmodel/estimate/serving/request_sim.hpp"

namespace llmsim {

struct LatencySummary {
  double mean = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
  double p99 = 0.0;
  double max = 0.0;
};

struct ServingMetrics {
  std::size_t requests = 0;
  double duration_s = 0.0;           // first arrival to last completion
  double arrival_rate = 0.0;         // requests per second over the duration
  double input_tokens_per_s = 0.0;   // prompt tokens, cache hits included
  double output_tokens_per_s = 0.0;
  LatencySummary ttft_s, tpot_s, e2e_s;
  double slo_attainment = 0.0;       // share of requests meeting the targets
  double goodput_rps = 0.0;          // requests meeting the targets, per second
  double mean_in_system = 0.0;       // time average of requests in the system (L)
  double mean_time_in_system_s = 0.0;  // W
  double peak_kv_used = 0.0;         // largest share of a deployment's KV blocks in use
  std::int64_t peak_waiting = 0;
  std::int64_t preemptions = 0;
};

// `skip`: the share of requests left out of the SLO attainment at each end of the arrival
// order (warm-up and drain; the capacity search uses 0.1).
ServingMetrics measure(const ServingRun& run, const LatencyTargets& targets, double skip = 0.0);

// Nearest-rank percentile (q in [0, 1]) of unsorted values; 0 for none.
double percentile(std::vector<double> values, double q);

}  // namespace llmsim
