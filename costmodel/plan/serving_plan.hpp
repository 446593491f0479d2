#pragma once
// Serving plan search: the deployments of a serving scenario (GPU type, TP, DP = GPUs / TP,
// EP for MoE models, nodes, max batch) for the cheapest one that meets the scenario's
// traffic within its latency targets. A candidate is pruned when the weights and the KV cache
// of one mean request do not fit a GPU; the rest run through the serving estimate that
// `llmsim serve` prints (the scenario's load, then the capacity search), ranked by dollars
// per million output tokens of the scenario's traffic, then at capacity (or by
// nodes). Colocated deployments only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/plan/plan_space.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::plan {

struct ServingSpace {
  std::vector<int> tp;         // within a node
  std::vector<int> ep;         // MoE only; 0: every GPU of the deployment
  std::vector<int> nodes;
  std::vector<int> max_batch;  // sequences per attention DP rank
};

// TP 1..GPUs per node (powers of two), EP 0 (every GPU), nodes 1,2,4, max batch 64,128,256.
ServingSpace default_serving_space(const Scenario& s);

struct ServingCandidate {
  std::size_t hardware = 0;  // index into the searched Hardware list (one per GPU type)
  std::string gpu;
  int tp = 1;
  int ep = 0;
  int nodes = 1;
  int max_batch = 256;
  std::string key;  // "H100 1 node TP8 DP1 batch 256"
};

std::vector<ServingCandidate> generate_serving_candidates(const ServingSpace& space,
                                                          const std::vector<Hardware>& hardware);

// The hardware's scenario with one colocated deployment laid out as the candidate says (the
// scenario's first deployment gives precision and scheduler), on the candidate's nodes.
Scenario serving_candidate_scenario(const Hardware& h, const ServingCandidate& c);

struct ServingOutcome {
  bool pruned = false;
  std::string reason;  // pruned: why
  int gpus = 0;
  int dp = 1;
  double weight_gib = 0.0;           // per GPU
  std::int64_t kv_tokens_per_rank = 0;
  // At the scenario's load:
  double ttft_p90 = 0.0, tpot_p90 = 0.0, ttft_p99 = 0.0, tpot_p99 = 0.0;
  double attainment = 0.0;  // share of requests within both targets
  // Capacity search:
  double rate_scale = 0.0;  // the largest load (x the scenario's) with 90% within the targets
  bool meets = false;       // rate_scale >= 1: the scenario's load is served within the targets
  // All GPUs' cost per million output tokens: serving the scenario's traffic (the objective),
  // and run at capacity (`llmsim serve`'s figure: the headroom, second key).
  double usd_per_m_at_load = 0.0;
  double usd_per_m_output = 0.0;
  double usd_per_hour = 0.0;      // the deployment's GPUs
};

struct ServingSearchOptions {
  bool by_nodes = false;  // objective: fewest nodes (then $/M); default $/M (then nodes)
  int threads = 1;
  std::function<bool()> stop;                         // Ctrl-C
  std::function<void(std::size_t done)> progress;     // candidates finished
};

// Prunes or evaluates every candidate; outcomes in candidate order whatever the threads.
// Returns fewer outcomes than candidates when `stop` said so.
std::vector<ServingOutcome> run_serving_search(const std::vector<Hardware>& hardware,
                                               const std::vector<calibration::Profile>& profiles,
                                               const std::vector<ServingCandidate>& candidates,
                                               const ServingSearchOptions& options);

// Candidates that meet the targets, best first: $/M at the scenario's load, then $/M at
// capacity (3 significant digits), then nodes, then candidate order (nodes first with
// by_nodes).
std::vector<std::size_t> rank_serving(const std::vector<ServingCandidate>& candidates,
                                      const std::vector<ServingOutcome>& outcomes, bool by_nodes);

// Why `o` is not the best: misses TTFT / TPOT, more nodes, higher $/M, or a tie.
std::string serving_loss_reason(const ServingOutcome& o, const ServingCandidate& c,
                                const ServingOutcome& best, const ServingCandidate& best_c,
                                const Scenario& s, bool by_nodes);

}  // namespace llmsim::plan
