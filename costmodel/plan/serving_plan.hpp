#pragma once
// Serving plan search: the deployments of a serving scenario (GPU type, TP, DP = GPUs / TP,
// EP for MoE models, nodes, max batch), colocated or disaggregated (a prefill pool and a decode
// pool, each with its own nodes and TP), for the cheapest one that meets the scenario's
// traffic within its latency targets. A candidate is pruned when the weights and the KV cache
// of one mean request do not fit a GPU; the rest run through the serving estimate that
// `llmsim serve` prints (the scenario's load, the KV transfer between pools included, then the
// capacity search), ranked by dollars per million output tokens of the scenario's traffic on
// all of the candidate's GPUs, then at capacity (or by nodes).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/plan/plan_space.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::plan {

// Raised whenever what a serving candidate becomes changes for the same inputs: a store written
// under another version is refused (the CLI's fingerprint has it).
inline constexpr int kServingSearchVersion = 2;

struct ServingSpace {
  std::vector<int> tp;             // colocated; within a node
  std::vector<int> ep;             // MoE only; 0: every GPU of the deployment (of each pool)
  std::vector<int> nodes;          // colocated
  std::vector<int> max_batch;      // sequences per attention DP rank (the decode pool's)
  std::vector<bool> disaggregate;  // false: colocated candidates; true: disaggregated ones
  std::vector<int> prefill_nodes, prefill_tp;  // disaggregated: the prefill pool
  std::vector<int> decode_nodes, decode_tp;    // disaggregated: the decode pool
};

// TP 1..GPUs per node (powers of two), EP 0 (every GPU), nodes 1,2,4, max batch 64,128,256;
// colocated and disaggregated: prefill 1 node at the largest TP (a whole node), decode 1 or 2
// nodes at the two largest TP values (the small ones rarely hold a large model's weights, and
// the space stays small: 12 disaggregated candidates beside 36 colocated ones on 8-GPU nodes).
ServingSpace default_serving_space(const Scenario& s);

struct ServingCandidate {
  std::size_t hardware = 0;  // index into the searched Hardware list (one per GPU type)
  std::string gpu;
  int tp = 1;           // colocated, or the decode pool
  int ep = 0;           // both pools
  int nodes = 1;        // colocated, or the decode pool
  int max_batch = 256;  // colocated, or the decode pool (the prefill pool keeps the scenario's)
  bool disaggregated = false;
  int prefill_nodes = 0;  // disaggregated only
  int prefill_tp = 0;
  // "H100 1 node TP8 DP1 batch 256" or "H100 prefill 1 node TP4 + decode 2 nodes TP8 batch 256"
  std::string key;
  int total_nodes() const { return nodes + prefill_nodes; }
};

std::vector<ServingCandidate> generate_serving_candidates(const ServingSpace& space,
                                                          const std::vector<Hardware>& hardware);

// The hardware's scenario with the deployment(s) laid out as the candidate says, on the
// candidate's nodes. Colocated: the scenario's first deployment gives precision and scheduler.
// Disaggregated: the scenario's prefill and decode deployments when it has them, otherwise
// its colocated one for both (named prefill and decode, the decode pool on DeepEP's
// low-latency kernels as a scenario's decode role is by default).
Scenario serving_candidate_scenario(const Hardware& h, const ServingCandidate& c);

// The `--set` assignments that turn `base` (the scenario as loaded) into the candidate's
// scenario for `llmsim serve` (same GPU type as `base` only).
std::vector<std::string> serving_candidate_sets(const Scenario& base, const ServingCandidate& c);

struct ServingOutcome {
  bool pruned = false;
  std::string reason;  // pruned: why
  int gpus = 0;
  int dp = 1;
  double weight_gib = 0.0;  // per GPU
  std::int64_t kv_tokens_per_rank = 0;
  // At the scenario's load:
  double ttft_p90 = 0.0, tpot_p90 = 0.0, ttft_p99 = 0.0, tpot_p99 = 0.0;
  double attainment = 0.0;  // share of requests within both targets
  // Capacity search:
  // Disaggregated: the smaller of the two pools' capacities, each measured alone.
  double rate_scale = 0.0;  // the largest load (x the scenario's) with 90% within the targets
  bool meets = false;       // rate_scale >= 1: the scenario's load is served within the targets
  // All GPUs' cost per million output tokens: serving the scenario's traffic (the objective),
  // and run at capacity (the headroom, second key). Colocated, the latter is `llmsim serve`'s
  // figure; disaggregated, it is the former over rate_scale.
  double usd_per_m_at_load = 0.0;
  double usd_per_m_at_capacity = 0.0;
  // `llmsim serve`'s $/M: output tokens on the decode (or colocated) deployment's GPUs, input
  // tokens on the prefill pool's (disaggregated only), each at its capacity.
  double usd_per_m_output = 0.0;
  double usd_per_m_input = 0.0;
  double usd_per_hour = 0.0;  // every GPU of the candidate
};

class ServingStore;

struct ServingSearchOptions {
  bool by_nodes = false;  // objective: fewest nodes (then $/M); default $/M (then nodes)
  int threads = 1;
  std::size_t batch = 64;         // candidates per committed batch (with a store)
  std::size_t stop_after = 0;     // stop after this many new outcomes (0: run to the end)
  ServingStore* store = nullptr;  // null: nothing kept
  std::function<bool()> stop;     // Ctrl-C
  std::function<void(std::size_t done)> progress;  // candidates finished
};

struct ServingSearchResult {
  std::vector<ServingOutcome> outcomes;  // by candidate; complete only when `complete`
  std::size_t from_store = 0;            // read back, not evaluated
  std::size_t new_outcomes = 0;
  bool complete = false;
};

// Prunes or evaluates every candidate not in the store; outcomes in candidate order whatever
// the threads. Batch by batch, the new outcomes are committed to the store, so a stopped
// search keeps every batch it finished and the candidates done in the one it stopped in.
ServingSearchResult run_serving_search(const std::vector<Hardware>& hardware,
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
