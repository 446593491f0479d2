#include "sim/collectives/ep_routing.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {
// P(k weighted draws without replacement from a pool of total weight `pool` all miss a set
// of weight `set`), with `mean` the mean weight of one expert.
double miss_probability(double set, double pool, double mean, int k) {
  double p = 1.0;
  for (int i = 0; i < k; ++i) {
    const double left = pool - i * mean;
    if (left <= set) return 0.0;
    p *= 1.0 - set / left;
  }
  return std::clamp(p, 0.0, 1.0);
}
}  // namespace

ExpertHitProbabilities expert_hit_probabilities(const ExpertRouting& r, int ranks,
                                                int gpus_per_node) {
  if (ranks < 1 || r.experts % ranks != 0) {
    throw UserError(
        fmt::format("experts = {} must divide evenly over {} EP ranks", r.experts, ranks));
  }
  const int g = std::min(ranks, gpus_per_node);
  const int nodes = (ranks + g - 1) / g;
  const int per_rank = r.experts / ranks;
  const int m_nodes = std::min(std::max(1, r.max_nodes), nodes);
  const int pool_experts = m_nodes * g * per_rank;
  if (r.topk < 1 || r.topk > pool_experts) {
    throw UserError(
        fmt::format("topk = {} must be between 1 and the {} experts a token can reach "
                    "({} nodes of {} experts)",
                    r.topk, pool_experts, m_nodes, g * per_rank));
  }
  std::vector<double> w(static_cast<std::size_t>(r.experts));
  for (int x = 0; x < r.experts; ++x) {
    w[static_cast<std::size_t>(x)] = r.skew == 0.0 ? 1.0 : std::pow(x + 1.0, -r.skew);
  }
  double total = 0.0;
  for (double v : w) total += v;
  const double mean = total / r.experts;
  ExpertHitProbabilities h;
  h.node.resize(static_cast<std::size_t>(nodes));
  h.rank.resize(static_cast<std::size_t>(ranks));
  h.selection_share.resize(static_cast<std::size_t>(ranks));
  // The pool a token draws from: the experts of its chosen nodes, of typical weight.
  const double pool = total * m_nodes / nodes;
  for (int m = 0; m < nodes; ++m) {
    double node_w = 0.0;
    for (int j = 0; j < g && m * g + j < ranks; ++j) {
      const int rank = m * g + j;
      double rank_w = 0.0;
      for (int x = rank * per_rank; x < (rank + 1) * per_rank; ++x) {
        rank_w += w[static_cast<std::size_t>(x)];
      }
      node_w += rank_w;
      h.selection_share[static_cast<std::size_t>(rank)] = rank_w / total;
    }
    const double chosen = std::min(1.0, m_nodes * node_w / total);
    h.node[static_cast<std::size_t>(m)] =
        chosen * (1.0 - miss_probability(node_w, pool, mean, r.topk));
    for (int j = 0; j < g && m * g + j < ranks; ++j) {
      const int rank = m * g + j;
      double rank_w = 0.0;
      for (int x = rank * per_rank; x < (rank + 1) * per_rank; ++x) {
        rank_w += w[static_cast<std::size_t>(x)];
      }
      h.rank[static_cast<std::size_t>(rank)] =
          chosen * (1.0 - miss_probability(rank_w, pool, mean, r.topk));
    }
  }
  return h;
}

double ep_token_bytes(const ExpertRouting& r, bool dispatch) {
  const double h = r.hidden;
  if (!dispatch) return 2.0 * h;
  const double fp8 = h + std::ceil(h / 128.0) * 4.0;
  return r.kernel == EpKernel::kLowLatency ? fp8 + 16.0 : fp8;
}

}  // namespace llmsim
