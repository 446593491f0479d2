#pragma once
// The serving estimate of a scenario: the deployments laid out, the scenario's traffic run
// through them, each deployment's capacity (the largest load at which 90% of requests meet
// the latency targets, DistServe's SLO attainment), and what follows: throughput per node,
// nodes for a daily volume, dollars per million tokens, cost and revenue per day.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/iteration_model.hpp"
#include "costmodel/estimate/serving/request_sim.hpp"
#include "costmodel/estimate/serving/serving_metrics.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim {

// A deployment at the largest load meeting the targets (alone, for a disaggregated one).
struct DeploymentCapacity {
  std::string name;
  std::string role;
  int nodes = 0;
  double rate_scale = 0.0;     // x the scenario's arrival rate
  bool bounded = true;         // false: the targets held at the largest load tried
  double input_tokens_per_s_per_node = 0.0;   // prefill / colocated
  double output_tokens_per_s_per_node = 0.0;  // decode / colocated
  ServingMetrics metrics;
  DeploymentActivity activity;  // of the deployment in that run: mean iteration and its parts
};

// The decoding deployment with every rank at its max_batch, each sequence at the traffic's
// mean cached length (mean prompt + half the mean output): the speed a user sees when the
// deployment is full, and the throughput it then gives.
struct FullBatchDecode {
  std::string deployment;
  int batch_per_rank = 0;
  double kv_tokens = 0.0;
  IterationTime iteration;
  double tokens_per_s_per_user = 0.0;
  double tokens_per_s_per_node = 0.0;
};

struct ServingEstimate {
  std::vector<DeploymentLayout> layouts;
  FullBatchDecode full_batch;
  ServingRun run;               // the scenario's own traffic, whole path
  ServingMetrics metrics;
  std::vector<DeploymentCapacity> capacity;
  double prefill_input_tokens_per_s_per_node = 0.0;
  double decode_output_tokens_per_s_per_node = 0.0;
  double prefill_nodes_for_daily_volume = 0.0;   // disaggregated only
  double decode_nodes_for_daily_volume = 0.0;
  double nodes_for_daily_volume = 0.0;
  double usd_per_million_input_tokens = 0.0;     // prefill deployment's GPUs (disaggregated)
  double usd_per_million_output_tokens = 0.0;    // decode deployment's (all GPUs if colocated)
  double cost_per_day_usd = 0.0;                 // nodes for the daily volume, all day
  double revenue_per_day_usd = 0.0;              // the daily volume at the prices
  std::vector<std::string> notes;
};

struct ServingOptions {
  bool capacity = true;           // search each deployment's capacity
  std::size_t max_spans = 20000;  // iterations kept for the trace
  std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
};

ServingEstimate estimate_serving(const Scenario& s, const calibration::Profile& profile,
                                 const ServingOptions& options = {});

}  // namespace llmsim
