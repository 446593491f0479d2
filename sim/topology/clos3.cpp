// Three-tier Clos (leaf, spine, core): pods of leaves under their own spines, joined by cores:
// core plane k (cores_per_spine switches) links spine k of every pod.

#include <algorithm>

#include <fmt/format.h>

#include "sim/topology/builders.hpp"

namespace llmsim {

namespace {

struct Clos3Shape {
  int nodes_per_leaf = 1, leaves = 1, leaves_per_pod = 1, pods = 1;
  int spines_per_pod = 1, cores_per_spine = 0;
  double leaf_up_gbps = 0.0;   // one leaf's uplinks together
  double spine_up_gbps = 0.0;  // one spine's uplinks together
};

// Ports split down : up = oversubscription : 1 at each tier, as build_fat_tree does at the leaf.
int down_ports(int ports, double oversubscription) {
  return static_cast<int>(ports * oversubscription / (1.0 + oversubscription));
}

Clos3Shape shape(const Clos3Params& p) {
  const FabricParams& f = p.fabric;
  Clos3Shape s;
  s.nodes_per_leaf = std::max(1, down_ports(f.switch_ports, p.leaf_oversubscription) / f.node.gpus);
  s.leaves = (f.nodes + s.nodes_per_leaf - 1) / s.nodes_per_leaf;
  s.leaf_up_gbps = s.nodes_per_leaf * f.node.gpus * f.nic_gbps / p.leaf_oversubscription;
  s.spines_per_pod = std::max(1, static_cast<int>(s.leaf_up_gbps / f.nic_gbps + 0.5));
  s.leaves_per_pod = std::max(1, down_ports(f.switch_ports, p.spine_oversubscription));
  s.pods = (s.leaves + s.leaves_per_pod - 1) / s.leaves_per_pod;
  const int pod_leaves = std::min(s.leaves, s.leaves_per_pod);
  s.spine_up_gbps =
      pod_leaves * (s.leaf_up_gbps / s.spines_per_pod) / p.spine_oversubscription;
  if (s.pods > 1) {
    s.cores_per_spine =
        std::clamp(static_cast<int>(s.spine_up_gbps / f.nic_gbps + 0.5), 1, f.switch_ports);
  }
  return s;
}

}  // namespace

Topology build_clos3(const Clos3Params& p) {
  const FabricParams& f = p.fabric;
  const Clos3Shape s = shape(p);
  Topology t(fmt::format("clos3-{}x{}", f.nodes, f.node.gpus), f.node.gpus);
  std::vector<topology_detail::NodeVertices> nodes;
  for (int n = 0; n < f.nodes; ++n) nodes.push_back(topology_detail::add_hgx_node(t, n, f.node));
  const std::int32_t first_leaf = topology_detail::add_switches(t, VertexKind::kLeaf, s.leaves, -1);
  const std::int32_t first_spine =
      topology_detail::add_switches(t, VertexKind::kSpine, s.pods * s.spines_per_pod, -1);
  for (int pod = 0; pod < s.pods; ++pod) {
    const int first = pod * s.leaves_per_pod;
    const int count = std::min(s.leaves_per_pod, s.leaves - first);
    topology_detail::connect_leaves_to_spines(t, first_leaf + first, count,
                                              first_spine + pod * s.spines_per_pod,
                                              s.spines_per_pod, s.leaf_up_gbps);
  }
  // Core plane k joins spine k of every pod, so a route's way down is fixed by its way up.
  for (int k = 0; s.cores_per_spine > 0 && k < s.spines_per_pod; ++k) {
    const std::int32_t first_core =
        topology_detail::add_switches(t, VertexKind::kCore, s.cores_per_spine, k);
    for (int pod = 0; pod < s.pods; ++pod) {
      topology_detail::connect_leaves_to_spines(t, first_spine + pod * s.spines_per_pod + k, 1,
                                                first_core, s.cores_per_spine, s.spine_up_gbps);
    }
  }
  topology_detail::add_nics(t, f, nodes,
                            [&](int node, int) { return first_leaf + node / s.nodes_per_leaf; });
  return t;
}

}  // namespace llmsim
