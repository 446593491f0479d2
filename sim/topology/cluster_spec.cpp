#include "sim/topology/cluster_spec.hpp"

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

std::string_view topology_kind_name(TopologyKind k) {
  switch (k) {
    case TopologyKind::kSingleNode: return "single-node";
    case TopologyKind::kRailOptimized: return "rail-optimized";
    case TopologyKind::kMultiPlane: return "multi-plane";
    case TopologyKind::kFatTree: return "fat-tree";
  }
  return "?";
}

std::string_view fabric_routing_name(FabricRouting r) {
  return r == FabricRouting::kDestModK ? "d-mod-k" : "ecmp";
}

ClusterSpec nvlink_domain_view(const ClusterSpec& c) {
  if (c.nvlink_domain_gpus <= 0 || c.nvlink_domain_gpus == c.gpus_per_node) return c;
  const int d = c.nvlink_domain_gpus;
  if (d % c.gpus_per_node != 0 || c.gpus() % d != 0) {
    throw UserError(fmt::format(
        "cluster {}: nvlink_domain_gpus = {} must be a multiple of gpus_per_node = {} and "
        "divide the cluster's {} GPUs",
        c.name, d, c.gpus_per_node, c.gpus()));
  }
  ClusterSpec v = c;
  v.gpus_per_node = d;
  v.nodes = c.gpus() / d;
  v.nvlink_domain_gpus = 0;
  if (v.topology == TopologyKind::kMultiPlane) v.planes = d;
  if (v.nodes == 1) v.topology = TopologyKind::kSingleNode;
  return v;
}

}  // namespace llmsim
