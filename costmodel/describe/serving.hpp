#pragma once
// A serving workload as typed values: where the model runs (deployments and their layout),
// how each deployment's scheduler batches requests, what traffic arrives, which latency is
// asked for, and the prices that turn GPU-hours into dollars per million tokens.
// costmodel/read/serving_reader.hpp reads it from a scenario's `serving:` section;
// costmodel/estimate/serving/ simulates it.

#include <cstdint>
#include <string>
#include <vector>

#include "costmodel/describe/precision.hpp"
#include "sim/collectives/collective.hpp"

namespace llmsim {

// Continuous batching (Orca, Yu et al. OSDI 2022) with a token budget per iteration and
// chunked prefill (Sarathi-Serve, Agrawal et al. OSDI 2024); paged KV cache (vLLM, Kwon et
// al. SOSP 2023). Limits are per attention data-parallel rank.
struct ServingScheduler {
  int max_batch = 256;                 // sequences in one iteration (decoding + prefilling)
  std::int64_t token_budget = 8192;    // tokens computed in one iteration
  std::int64_t prefill_chunk = 0;      // prompt tokens of one request per iteration; 0: whole
  int kv_block_tokens = 64;            // paged KV cache block (FlashMLA: 64)
  double activation_reserve_gib = 4.0; // HBM kept for activations and workspace, GiB per GPU
};

struct ServingPrecision {
  Precision weights = Precision::kBF16;   // stored weights
  Precision compute = Precision::kBF16;   // linear-layer GEMMs
  Precision kv_cache = Precision::kBF16;  // cached keys and values
};

struct ServingDeployment {
  std::string name;
  std::string role = "colocated";  // colocated | prefill | decode
  int nodes = 1;
  int tp = 1;                 // attention and dense-FFN tensor parallelism
  int ep = 0;                 // expert parallelism; 0: every GPU of the deployment (MoE)
  int redundant_experts = 0;  // extra copies of popular experts (DeepSeek EPLB), spread over EP
  double expert_imbalance = 1.0;  // routed tokens on the busiest GPU over the mean (1: balanced)
  int micro_batches = 1;      // 2: two micro-batches overlap computation and communication
  int comm_sms = 0;           // SMs held by communication kernels while overlapping
  EpKernel ep_kernel = EpKernel::kNormal;
  int mtp_depth = 0;          // speculative tokens drafted per step by MTP modules
  double mtp_acceptance = 0;  // probability that a drafted token is accepted
  ServingPrecision precision;
  ServingScheduler scheduler;
};

struct ServingTraffic {
  std::string arrivals = "poisson";  // poisson | bursty | trace
  double requests_per_s = 0.0;       // poisson / bursty
  double burstiness = 1.0;           // bursty: coefficient of variation of inter-arrival times
  double prompt_tokens = 0.0;        // mean per request (poisson / bursty)
  double output_tokens = 0.0;
  std::string lengths = "exponential";  // fixed | exponential
  double cache_hit_rate = 0.0;       // share of prompt tokens found in the prefix cache
  std::int64_t requests = 10000;     // requests simulated
  std::uint64_t seed = 1;
  std::string trace_file;            // trace: resolved path (TIMESTAMP, ContextTokens, GeneratedTokens)
  double rate_scale = 1.0;           // trace: arrival times divided by this
};

struct LatencyTargets {
  double ttft_s = 0.0;  // time to first token; 0: none
  double tpot_s = 0.0;  // time per output token after the first; 0: none
};

// Revenue prices (per million tokens) and a daily volume to size the fleet for.
struct ServingPrices {
  double usd_per_m_input_cache_hit = 0.0;
  double usd_per_m_input_cache_miss = 0.0;
  double usd_per_m_output = 0.0;
};
struct DailyVolume {
  double input_tokens = 0.0;   // per day, cache hits included
  double output_tokens = 0.0;
};

struct ServingWorkload {
  std::vector<ServingDeployment> deployments;
  ServingTraffic traffic;
  LatencyTargets targets;
  ServingPrices prices;
  DailyVolume daily;

  bool disaggregated() const {
    return !deployments.empty() && deployments.front().role != "colocated";
  }
};

}  // namespace llmsim
