#pragma once
// Expected traffic of MoE expert routing over an EP group, in closed form: for a token, the
// probability that it reaches each node and each GPU (rank). Both the flow plans and the
// analytical model of DeepEP's dispatch / combine use these; nothing here is fitted.
//
// Model (DeepSeek-V3 §2.1.2, node-limited routing): a token first picks max_nodes of the EP
// group's nodes, then its top-k experts among the experts of those nodes. Uniform popularity
// makes the k experts a uniform draw without replacement, so
//   P(node m chosen)           = min(1, M / N)
//   P(token misses a set of a experts | pool of b experts) = prod_{i<k} (b - a - i) / (b - i)
// (hypergeometric). With Zipf skew s, expert x has weight (x + 1)^-s; a node is chosen with
// probability min(1, M * W_node / W) and the draw uses weights in place of counts,
// prod_{i<k} (1 - W_set / (W_pool - i * w_mean)), which reduces to the uniform formula.

#include <vector>

#include "sim/collectives/collective.hpp"

namespace llmsim {

struct ExpertHitProbabilities {
  std::vector<double> node;  // P(a token reaches node m), m < ranks / gpus_per_node
  std::vector<double> rank;  // P(a token reaches rank r, i.e. at least one of its experts)
  std::vector<double> selection_share;  // expected share of the k selections landing on rank r
};

// ranks: EP size; gpus_per_node: ranks per node (min(ranks, node size)). Throws UserError when
// experts do not divide evenly over ranks or topk exceeds the reachable experts.
ExpertHitProbabilities expert_hit_probabilities(const ExpertRouting& r, int ranks,
                                                int gpus_per_node);

// Bytes one token occupies on the wire, as DeepEP lays it out: dispatch FP8 (1 byte per
// element plus one float scale per 128 elements), combine BF16 (2 bytes per element). The
// low-latency dispatch message adds 16 bytes of header (DeepEP tests/test_low_latency.py).
double ep_token_bytes(const ExpertRouting& r, bool dispatch);

}  // namespace llmsim
