// DeepSeek's multi-plane two-layer fat-tree (ISCA25 §5.1): one independent fat-tree per plane,
// plane i joining NIC i of every node. Cross-plane traffic must cross NVLink inside a node.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

Topology build_multi_plane(const MultiPlaneParams& p) {
  const FabricParams& f = p.fabric;
  const int down = f.switch_ports / 2;
  const int leaves = (f.nodes + down - 1) / down;  // per plane
  const int spines = leaves > 1 ? (leaves * down + f.switch_ports - 1) / f.switch_ports : 0;
  Topology t(fmt::format("multi-plane-{}x{}", f.nodes, f.node.gpus), f.node.gpus);
  std::vector<topology_detail::NodeVertices> nodes;
  for (int n = 0; n < f.nodes; ++n) nodes.push_back(topology_detail::add_hgx_node(t, n, f.node));
  std::vector<std::int32_t> first_leaf(static_cast<std::size_t>(f.node.gpus));
  for (int plane = 0; plane < f.node.gpus; ++plane) {
    const std::int32_t l = topology_detail::add_switches(t, VertexKind::kLeaf, leaves, plane);
    first_leaf[static_cast<std::size_t>(plane)] = l;
    if (spines > 0) {
      const std::int32_t s = topology_detail::add_switches(t, VertexKind::kSpine, spines, plane);
      topology_detail::connect_leaves_to_spines(t, l, leaves, s, spines, down * f.nic_gbps);
    }
  }
  topology_detail::add_nics(t, f, nodes, [&](int node, int local) {
    return first_leaf[static_cast<std::size_t>(local)] + node / down;
  });
  return t;
}

}  // namespace llmsim
