// Classic two-layer fat-tree: whole nodes under each leaf, uplinks oversubscribed.

#include <algorithm>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

Topology build_fat_tree(const FatTreeParams& p) {
  const FabricParams& f = p.fabric;
  // Leaf ports split down : up = oversubscription : 1; whole nodes per leaf.
  const int down_ports =
      static_cast<int>(f.switch_ports * p.oversubscription / (1.0 + p.oversubscription));
  const int nodes_per_leaf = std::max(1, down_ports / f.node.gpus);
  const int leaves = (f.nodes + nodes_per_leaf - 1) / nodes_per_leaf;
  const double down_gbps = nodes_per_leaf * f.node.gpus * f.nic_gbps;
  const double up_gbps = down_gbps / p.oversubscription;
  const int up_ports = std::max(1, static_cast<int>(up_gbps / f.nic_gbps + 0.5));
  const int spines = leaves > 1 ? (leaves * up_ports + f.switch_ports - 1) / f.switch_ports : 0;
  Topology t(fmt::format("fat-tree-{}x{}", f.nodes, f.node.gpus), f.node.gpus);
  std::vector<topology_detail::NodeVertices> nodes;
  for (int n = 0; n < f.nodes; ++n) nodes.push_back(topology_detail::add_hgx_node(t, n, f.node));
  const std::int32_t first_leaf = topology_detail::add_switches(t, VertexKind::kLeaf, leaves, -1);
  if (spines > 0) {
    const std::int32_t first_spine =
        topology_detail::add_switches(t, VertexKind::kSpine, spines, -1);
    topology_detail::connect_leaves_to_spines(t, first_leaf, leaves, first_spine, spines, up_gbps);
  }
  topology_detail::add_nics(t, f, nodes,
                            [&](int node, int) { return first_leaf + node / nodes_per_leaf; });
  return t;
}

}  // namespace llmsim
