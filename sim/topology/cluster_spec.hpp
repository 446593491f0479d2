#pragma once
// ClusterSpec: a GPU cluster as the topology builders need it, parsed from
// scenarios/clusters/*.yaml (costmodel/cluster_file.*) or built in code. Bandwidths are in
// GB/s (1e9 bytes per second) per GPU and per direction; latencies in microseconds.

#include <string>
#include <string_view>

namespace llmsim {

enum class TopologyKind {
  kSingleNode,     // one HGX node: GPUs on an NVSwitch
  kRailOptimized,  // one NIC per GPU; NIC i of every node on leaf (rail) switch i; spines above
  kMultiPlane,     // DeepSeek's multi-plane two-layer fat-tree: plane i joins NIC i of every node
  kFatTree,        // classic two-layer fat-tree with an oversubscription ratio at the leaves
};

std::string_view topology_kind_name(TopologyKind k);

// How a switch picks among equal-cost uplinks.
enum class FabricRouting {
  // Destination-mod-k: at the i-th choice, uplink (dst / k_1 ... k_(i-1)) mod k_i, by the
  // destination GPU's index (Zahavi 2010, "D-Mod-K routing providing non-blocking traffic for
  // shift permutations on real life fat trees"; InfiniBand subnet managers' fat-tree routing).
  // Rings and other shift patterns spread evenly over the uplinks.
  kDestModK,
  // Static ECMP: a hash of (source, destination) per flow, as Ethernet / RoCE switches do;
  // flows may collide on one uplink while another idles.
  kEcmpHash,
};
std::string_view fabric_routing_name(FabricRouting r);

struct ClusterSpec {
  std::string name;
  std::string gpu = "H800";  // a hardware catalog name
  int nodes = 1;
  int gpus_per_node = 8;
  double nvlink_gbps = 160.0;  // achievable NVLink bandwidth per GPU per direction
  double nic_gbps = 50.0;      // InfiniBand / RoCE bandwidth per GPU (one NIC each) per direction
  double nic_efficiency = 1.0;  // achievable fraction of nic_gbps at the host (NIC, DMA, protocol)
  TopologyKind topology = TopologyKind::kSingleNode;
  int planes = 8;                 // multi-plane only
  int switch_ports = 64;          // leaf and spine switch radix
  double oversubscription = 1.0;  // fat-tree only: leaf downlink / uplink bandwidth
  int tiers = 2;                  // fat-tree only: 2 (leaf, spine) or 3 (leaf, spine, core)
  double spine_oversubscription = 1.0;  // three tiers only: spine downlink / uplink bandwidth
  FabricRouting routing = FabricRouting::kDestModK;
  double nvlink_latency_us = 1.0;
  double ib_latency_us = 2.0;
  std::string source;  // where the figures come from

  int gpus() const { return nodes * gpus_per_node; }
};

}  // namespace llmsim
