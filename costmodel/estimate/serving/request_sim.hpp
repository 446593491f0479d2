#pragma once
// The request-level serving simulation, on sim's event engine: requests arrive, wait, are
// admitted by each unit's scheduler, prefill (in chunks under a token budget), decode one
// iteration at a time, and leave. Paged KV blocks are allocated as sequences grow and freed
// when they finish; when a colocated unit runs out of blocks, the most recently admitted
// sequence is preempted and later recomputed (vLLM's recompute preemption). Disaggregated:
// the prefill deployment's unit computes the prompt and emits the first token; the KV cache
// then travels to the decode deployment over the network model; a decode unit admits a
// request only with blocks for its whole output (nothing is preempted there).
//
// Units are the lockstep groups of DeploymentLayout; a request goes to the unit with the
// fewest requests in it (lowest index on ties). Iteration times come from IterationModel.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/iteration_model.hpp"
#include "costmodel/estimate/serving/traffic.hpp"

namespace llmsim {

// What the simulation covers: the whole path, or one deployment alone (prefill only:
// requests leave with their first token; decode only: requests arrive with their prompt's
// KV cache in place).
enum class ServingPath { kFull, kPrefillOnly, kDecodeOnly };

struct ServedRequest {
  double arrival_s = 0.0;
  double first_token_s = 0.0;
  double finish_s = 0.0;
  std::int64_t prompt = 0;
  std::int64_t cached = 0;
  std::int64_t output = 0;
  int preemptions = 0;
};

struct ServingSample {  // the system after one iteration
  double time_s = 0.0;
  double kv_used = 0.0;       // share of the deployment's KV blocks in use
  std::int64_t waiting = 0;   // requests queued for admission
  std::int64_t running = 0;   // requests admitted (prefilling or decoding)
  int deployment = 0;
};

struct IterationSpan {  // for the Chrome trace
  int deployment = 0;
  int unit = 0;
  double start_s = 0.0;
  double seconds = 0.0;
  double decode_seqs = 0.0;     // per rank
  double prefill_tokens = 0.0;  // per rank
};

struct DeploymentActivity {
  std::int64_t iterations = 0;
  double busy_unit_s = 0.0;          // iteration time summed over units
  double compute_s = 0.0;            // its parts, summed the same way (IterationTime)
  double attention_s = 0.0;
  double comm_s = 0.0;
  double decode_seqs = 0.0;          // per rank, summed over iterations
  double prefill_tokens = 0.0;
  std::int64_t prompt_tokens = 0;    // prompts finished here, cache hits included
  std::int64_t computed_tokens = 0;  // prompt tokens computed (recomputation included)
  std::int64_t output_tokens = 0;    // tokens generated here (first tokens included)
  std::int64_t preemptions = 0;
  std::int64_t peak_blocks = 0;
  std::int64_t total_blocks = 0;
};

struct ServingRun {
  std::vector<ServedRequest> requests;  // in arrival order
  std::vector<DeploymentActivity> deployments;
  std::vector<ServingSample> samples;   // evenly spaced in iterations, at most 131,072
  double peak_kv_used = 0.0;            // over every iteration, not only the samples
  std::int64_t peak_waiting = 0;
  std::vector<IterationSpan> spans;     // the first `max_spans` iterations
  double end_s = 0.0;                   // last completion
  double in_system_integral = 0.0;      // integral of requests in the system over time, s
  std::uint64_t events = 0;
};

struct ServingSimOptions {
  ServingPath path = ServingPath::kFull;
  std::size_t max_spans = 0;
  // A bound on one simulation's work: about 0.25 us per iteration on one core, so the default
  // stops within half a minute.
  std::int64_t max_iterations = 100'000'000;
  std::function<void(std::size_t finished)> progress;  // called every 4096 completions
};

// `layouts` and `models`: one per deployment, in the order requests pass (prefill first).
ServingRun simulate_serving(const std::vector<ServingRequest>& requests,
                            const std::vector<DeploymentLayout>& layouts,
                            std::vector<IterationModel*> models, OperatorTimer& network,
                            const ServingSimOptions& options);

}  // namespace llmsim
