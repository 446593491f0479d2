// estimate_collective: the closed-form bottleneck model for groups too big to simulate flow by
// flow. For GPUs 0 .. N-1 on n whole nodes of g GPUs it sums, per link class, the bytes the
// flow plans would put on the busiest link of that class (NVLink port, GPU-NIC / NIC link, leaf
// uplink), assumes perfect ECMP spreading, and takes
//   time = max over classes (latency of the class's flows + load / capacity).
// It mirrors the flow plans link class by link class, so where the flow simulation's rates are
// bottleneck-limited (symmetric loads) the two agree; tests/sim/network_collectives_test.cpp
// checks 5% up to 256 GPUs.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/collectives/collective_runner.hpp"
#include "sim/collectives/ep_routing.hpp"

namespace llmsim {

namespace {

struct Term {
  const char* name;
  double latency_ns;
  double bytes;
  double gbps;
  double time_ns() const { return latency_ns + (bytes > 0.0 ? bytes / gbps : 0.0); }
};

struct Layout {
  int n = 1;  // GPUs
  int g = 1;  // GPUs per node in the group
  int nodes = 1;
  double nv = 0.0;                    // NVLink GB/s
  double nic = 0.0;                   // achievable NIC GB/s
  double lat_nv = 0.0, lat_ib = 0.0;  // one hop, ns
  bool multi_plane = false;
  double leaf_up_gbps = 0.0;  // fat-tree: uplink capacity of one leaf
  int nodes_per_leaf = 1;     // fat-tree
};

Layout layout(const ClusterSpec& c, const CollectiveRequest& q) {
  Layout l;
  l.n = q.gpus;
  l.g = group_per_node(q, c.gpus_per_node);
  l.nodes = (q.gpus + l.g - 1) / l.g;
  l.nv = c.nvlink_gbps;
  l.nic = c.nic_gbps * c.nic_efficiency;
  l.lat_nv = c.nvlink_latency_us * 1e3;
  l.lat_ib = c.ib_latency_us * 1e3;
  l.multi_plane = c.topology == TopologyKind::kMultiPlane;
  // As run_collective: DeepEP's internode forwards at the kernel's NVLink rate.
  if (is_expert_op(q.op) && q.ep.kernel == EpKernel::kNormal && l.nodes > 1 &&
      c.ep_forward_gbps > 0.0) {
    l.nv = std::min(l.nv, c.ep_forward_gbps);
  }
  if (c.topology == TopologyKind::kFatTree) {
    // As build_fat_tree lays it out.
    const int down =
        static_cast<int>(c.switch_ports * c.oversubscription / (1.0 + c.oversubscription));
    l.nodes_per_leaf = std::max(1, down / c.gpus_per_node);
    l.leaf_up_gbps = l.nodes_per_leaf * c.gpus_per_node * c.nic_gbps / c.oversubscription;
  }
  return l;
}

// The all-reduce, reduce-scatter and all-gather terms: NCCL's ring, or the three-phase
// hierarchical all-reduce.
void ring_terms(const Layout& L, const CollectiveRequest& q, std::vector<Term>& terms) {
  const double n = L.n, g = L.g;
  if (q.op == CollectiveOp::kAllReduce && q.algorithm == AllReduceAlgorithm::kHierarchical) {
    // Three phases in sequence: one term holding their sum.
    const double rs = (g - 1) * L.lat_nv + (g > 1 ? q.bytes * (g - 1) / g / L.nv : 0.0);
    const double ar = L.nodes > 1 ? 2.0 * (L.nodes - 1) * L.lat_ib +
                                        q.bytes / g * 2.0 * (L.nodes - 1) / L.nodes / L.nic
                                  : 0.0;
    terms.push_back({"NVLink + NIC (three phases)", 2 * rs + ar, 0.0, 1.0});
    return;
  }
  const double steps = q.op == CollectiveOp::kAllReduce ? 2.0 * (n - 1) : n - 1;
  const double x = q.bytes * steps / n;  // bytes each GPU sends over the collective
  if (L.nodes == 1) {
    terms.push_back({"NVLink port", steps * L.lat_nv, x, L.nv});
  } else {
    terms.push_back({"NVLink port", steps * L.lat_nv, x * (g - 1) / g, L.nv});
    terms.push_back({"NIC", steps * L.lat_ib, x / g, L.nic});
  }
}

void all_to_all_terms(const Layout& L, const CollectiveRequest& q, std::vector<Term>& terms) {
  const double n = L.n, g = L.g;
  const double p = q.bytes / n;
  double nvl = (g - 1) * p;
  const double ib = (n - g) * p;
  double ib_lat = L.lat_ib;
  if (L.multi_plane && L.nodes > 1) {
    nvl += ib * (g - 1) / g;  // PXN: cross-plane traffic first crosses NVLink
    ib_lat += L.lat_nv;
  }
  terms.push_back({"NVLink port", L.lat_nv, nvl, L.nv});
  if (L.nodes > 1) terms.push_back({"NIC", ib_lat, ib, L.nic});
  if (L.leaf_up_gbps > 0.0 && L.nodes > L.nodes_per_leaf) {
    const double on_leaf = std::min(L.nodes_per_leaf, L.nodes) * g;
    terms.push_back({"leaf uplink", L.lat_ib,
                     q.concurrent * L.nodes_per_leaf * g * (n - on_leaf) * p, L.leaf_up_gbps});
  }
}

void p2p_terms(const ClusterSpec& c, const Layout& L, const CollectiveRequest& q,
               std::vector<Term>& terms) {
  const bool same_node = (q.gpus - 1) / c.gpus_per_node == 0;
  if (same_node) {
    terms.push_back({"NVLink port", L.lat_nv, q.bytes, L.nv});
  } else {
    const bool pxn = L.multi_plane && (q.gpus - 1) % c.gpus_per_node != 0;
    terms.push_back(
        {"NIC", L.lat_ib + (pxn ? L.lat_nv : 0.0), q.bytes, pxn ? std::min(L.nic, L.nv) : L.nic});
  }
}

// The per-GPU bytes DeepEP's tests count for an EP dispatch or combine (CollectiveResult).
struct EpBytes {
  double rdma = 0.0;
  double nvl = 0.0;
};

// DeepEP's low-latency kernels: one message per (token, expert), straight to the expert's GPU.
void ep_low_latency_terms(const Layout& L, const ExpertHitProbabilities& hit, double t, double tb,
                          int topk, std::vector<Term>& terms, EpBytes& ep) {
  const double n = L.n, g = L.g;
  const double per_gpu = t * topk * tb;
  ep.rdma = ep.nvl = per_gpu;
  // Worst rank by popularity: its in-node and cross-node receive.
  double max_share = 0.0;
  for (double s : hit.selection_share) max_share = std::max(max_share, s);
  const double in_node = per_gpu * max_share * g;      // from g senders
  const double cross = per_gpu * max_share * (n - g);  // from n - g senders
  const double send_in = per_gpu * g / n, send_cross = per_gpu * (n - g) / n;
  double nvl = std::max(in_node, send_in);
  if (L.multi_plane && L.nodes > 1) nvl += std::max(cross, send_cross) * (g - 1) / g;
  terms.push_back({"NVLink port", L.lat_nv, nvl, L.nv});
  if (L.nodes > 1) {
    terms.push_back(
        {"NIC", L.lat_ib + (L.multi_plane ? L.lat_nv : 0.0), std::max(cross, send_cross), L.nic});
  }
}

// DeepEP's normal kernels across nodes: IB to the same local index of each target node, then
// NVLink forwards inside it.
void ep_cross_node_terms(const Layout& L, const ExpertHitProbabilities& hit, double t, double tb,
                         bool dispatch, double max_rank, std::vector<Term>& terms, EpBytes& ep) {
  const double g = L.g;
  const int gi = L.g;
  double node_sum = 0.0, max_node = 0.0, min_node = 1.0;
  for (double p : hit.node) {
    node_sum += p;
    max_node = std::max(max_node, p);
    min_node = std::min(min_node, p);
  }
  ep.rdma = node_sum * t * tb;
  // NIC: egress t * sum_{m != own} p_m (largest when the own node is the least popular),
  // ingress (nodes - 1) * t * p_m.
  const double nic = std::max(node_sum - min_node, (L.nodes - 1) * max_node) * t * tb;
  // NVLink: forwarder egress nodes * t * sum_{j in node} p_j, ingress g * nodes * t * p_j.
  double max_node_ranks = 0.0;
  for (int m = 0; m < L.nodes; ++m) {
    double s = 0.0;
    for (int j = 0; j < gi; ++j) s += hit.rank[static_cast<std::size_t>(m * gi + j)];
    max_node_ranks = std::max(max_node_ranks, s);
  }
  const double nvl = L.nodes * t * tb * std::max(max_node_ranks, g * max_rank);
  const double first = dispatch ? 0.0 : L.lat_nv;  // the leg that waits, see the flow plan
  terms.push_back({"NIC", L.lat_ib + first, nic, L.nic});
  terms.push_back({"NVLink port", L.lat_nv + (dispatch ? L.lat_ib : 0.0), nvl, L.nv});
}

void ep_terms(const Layout& L, const CollectiveRequest& q, std::vector<Term>& terms, EpBytes& ep) {
  const double g = L.g;
  const bool dispatch = q.op == CollectiveOp::kEpDispatch;
  const ExpertRouting& r = q.ep;
  const int ranks = q.gpus;
  const int gi = L.g;
  const ExpertHitProbabilities hit = expert_hit_probabilities(r, ranks, gi);
  const double tb = ep_token_bytes(r, dispatch);
  const double t = r.tokens;
  if (r.kernel == EpKernel::kLowLatency) {
    ep_low_latency_terms(L, hit, t, tb, r.topk, terms, ep);
    return;
  }
  double max_rank = 0.0, recv = 0.0;
  for (double p : hit.rank) {
    max_rank = std::max(max_rank, p);
    recv += p;
  }
  ep.nvl = recv * t * tb;  // mean over ranks of ranks * t * p_r
  if (L.nodes == 1) {
    // Egress t * sum_r p_r, ingress g * t * p_r (loopback included).
    terms.push_back({"NVLink port", L.lat_nv, std::max(recv, g * max_rank) * t * tb, L.nv});
    return;
  }
  ep_cross_node_terms(L, hit, t, tb, dispatch, max_rank, terms, ep);
}

// The result of the slowest term.
CollectiveResult result_of_terms(const std::vector<Term>& terms, const CollectiveRequest& q,
                                 const EpBytes& ep) {
  CollectiveResult r;
  r.analytical = true;
  const Term* worst = nullptr;
  for (const Term& term : terms) {
    if (worst == nullptr || term.time_ns() > worst->time_ns()) worst = &term;
  }
  LLMSIM_CHECK(worst != nullptr, "no terms");
  r.time = SimTime::from_ns(static_cast<std::int64_t>(std::ceil(worst->time_ns())));
  r.bottleneck = fmt::format("{} ({:.4g} GB/s)", worst->name, worst->gbps);
  r.bottleneck_utilization =
      r.time.ns() > 0 ? (worst->bytes / worst->gbps) / static_cast<double>(r.time.ns()) : 0.0;
  finish_result(r, q, nullptr, ep.rdma, ep.nvl);
  return r;
}

}  // namespace

CollectiveResult estimate_collective(const ClusterSpec& spec, const CollectiveRequest& q) {
  const ClusterSpec c = nvlink_domain_view(spec);
  validate_request(c, q);
  const Layout L = layout(c, q);
  std::vector<Term> terms;
  EpBytes ep;
  switch (q.op) {
    case CollectiveOp::kAllReduce:
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather: ring_terms(L, q, terms); break;
    case CollectiveOp::kAllToAll: all_to_all_terms(L, q, terms); break;
    case CollectiveOp::kP2P: p2p_terms(c, L, q, terms); break;
    case CollectiveOp::kEpDispatch:
    case CollectiveOp::kEpCombine: ep_terms(L, q, terms, ep); break;
  }
  return result_of_terms(terms, q, ep);
}

}  // namespace llmsim
