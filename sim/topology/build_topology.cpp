// build_topology: the builder a ClusterSpec names.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

namespace {
Topology build_fabric(const ClusterSpec& c, const FabricParams& f) {
  switch (c.topology) {
    case TopologyKind::kRailOptimized: return build_rail_optimized({f});
    case TopologyKind::kMultiPlane: return build_multi_plane({f});
    case TopologyKind::kFatTree:
      if (c.tiers == 3) return build_clos3({f, c.oversubscription, c.spine_oversubscription});
      return build_fat_tree({f, c.oversubscription});
    case TopologyKind::kSingleNode: break;
  }
  throw InternalError("unknown topology kind");
}
}  // namespace

Topology build_topology(const ClusterSpec& spec) {
  const ClusterSpec c = nvlink_domain_view(spec);
  HgxNodeParams node;
  node.gpus = c.gpus_per_node;
  node.nvlink_gbps = c.nvlink_gbps;
  node.nvlink_latency = SimTime::from_us(c.nvlink_latency_us);
  if (c.topology == TopologyKind::kSingleNode) {
    if (c.nodes != 1) {
      throw UserError(
          fmt::format("cluster {}: single-node needs nodes = 1 (nodes = {})", c.name, c.nodes));
    }
    return build_hgx_node(node);
  }
  FabricParams f;
  f.nodes = c.nodes;
  f.node = node;
  f.nic_gbps = c.nic_gbps;
  f.nic_efficiency = c.nic_efficiency;
  f.switch_ports = c.switch_ports;
  f.ib_latency = SimTime::from_us(c.ib_latency_us);
  if (c.switch_ports < 2 * c.gpus_per_node && c.topology == TopologyKind::kFatTree) {
    throw UserError(fmt::format("cluster {}: switch_ports = {} cannot hold one node of {} NICs",
                                c.name, c.switch_ports, c.gpus_per_node));
  }
  Topology t = build_fabric(c, f);
  t.set_routing(c.routing);
  return t;
}

}  // namespace llmsim
