#include "sim/topology/cluster_spec.hpp"

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

}  // namespace llmsim
