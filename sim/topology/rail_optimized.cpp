// Rail-optimized two-layer fat-tree: rail i joins NIC i of every node; one spine layer.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

Topology build_rail_optimized(const RailOptimizedParams& p) {
  const FabricParams& f = p.fabric;
  const int down = f.switch_ports / 2;  // leaf ports facing NICs; the other half face spines
  const int leaves_per_rail = (f.nodes + down - 1) / down;
  const int leaves = leaves_per_rail * f.node.gpus;
  // Non-blocking: every leaf has `down` uplinks; spines have switch_ports ports each.
  const int spines = (leaves * down + f.switch_ports - 1) / f.switch_ports;
  Topology t(fmt::format("rail-optimized-{}x{}", f.nodes, f.node.gpus), f.node.gpus);
  std::vector<topology_detail::NodeVertices> nodes;
  for (int n = 0; n < f.nodes; ++n) nodes.push_back(topology_detail::add_hgx_node(t, n, f.node));
  const std::int32_t first_leaf = topology_detail::add_switches(t, VertexKind::kLeaf, leaves, -1);
  const std::int32_t first_spine = topology_detail::add_switches(t, VertexKind::kSpine, spines, -1);
  topology_detail::add_nics(t, f, nodes, [&](int node, int local) {
    return first_leaf + local * leaves_per_rail + node / down;
  });
  topology_detail::connect_leaves_to_spines(t, first_leaf, leaves, first_spine, spines,
                                            down * f.nic_gbps);
  return t;
}

}  // namespace llmsim
