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
  // GPUs on one NVLink switch fabric; 0: one node (gpus_per_node). Larger than a node on
  // rack-scale systems (GB200 NVL72: 72 GPUs on 18 trays of 4); a multiple of gpus_per_node.
  int nvlink_domain_gpus = 0;
  double nvlink_gbps = 160.0;  // achievable NVLink bandwidth per GPU per direction
  double nic_gbps = 50.0;      // InfiniBand / RoCE bandwidth per GPU (one NIC each) per direction
  double nic_efficiency = 1.0;  // achievable fraction of nic_gbps at the host (NIC, DMA, protocol)
  // DeepEP's internode normal kernels: the NVLink rate per GPU at which their forwarder warps
  // pass tokens received over RDMA on to the node's GPUs (sim/collectives/
  // expert_all_to_all.cpp); 0: NVLink's (nvlink_gbps).
  double ep_forward_gbps = 0.0;
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
  // GPUs that reach each other over NVLink: the NVLink domain, or the node.
  int domain_gpus() const { return nvlink_domain_gpus > 0 ? nvlink_domain_gpus : gpus_per_node; }
  int domains() const { return gpus() / domain_gpus(); }
};

// The cluster as its network sees it: one node per NVLink domain (gpus_per_node = the domain's
// GPUs, nodes = the domains), which is what the topology builders and the collectives take.
// The spec itself when the domain is the node. Throws UserError when the domain is not a whole
// number of nodes or the GPUs not a whole number of domains.
ClusterSpec nvlink_domain_view(const ClusterSpec& c);

}  // namespace llmsim
