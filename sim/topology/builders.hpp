#pragma once
// Topology builders, one file each: an 8-GPU HGX node; rail-optimized, multi-plane and classic
// fat-tree clusters of such nodes with one NIC per GPU. build_topology() picks one from a
// ClusterSpec. Bandwidths in GB/s per direction; latencies as SimTime.
//
// Latency placement: an NVLink transfer GPU -> NVSwitch -> GPU crosses two NVLink cables, each
// carrying half of nvlink_latency; an inter-node transfer crosses two GPU-NIC cables, each
// carrying half of ib_latency (NIC, PCIe and wire); switch-to-switch cables carry none
// (cut-through switching adds ~0.1-0.3 us per hop, ignored).

#include <functional>
#include <vector>

#include "sim/topology/cluster_spec.hpp"
#include "sim/sim_time.hpp"
#include "sim/topology/topology.hpp"

namespace llmsim {

// One HGX node: GPUs on one NVSwitch vertex (the four physical NVSwitches of an HGX H100 board
// act as one non-blocking crossbar), each GPU's NVLink aggregated into one cable.
struct HgxNodeParams {
  int gpus = 8;
  double nvlink_gbps = 160.0;  // per GPU per direction (achievable)
  SimTime nvlink_latency = SimTime::from_us(1.0);
};

// Fabric figures shared by the multi-node builders.
struct FabricParams {
  int nodes = 2;
  HgxNodeParams node;
  double nic_gbps = 50.0;       // NIC line rate per GPU per direction
  double nic_efficiency = 1.0;  // achievable fraction of the line rate at the host
  int switch_ports = 64;        // leaf and spine radix
  SimTime ib_latency = SimTime::from_us(2.0);
};

// Rail-optimized two-layer fat-tree: NIC i of every node on rail i's leaves (switch_ports / 2
// nodes per leaf), all leaves of all rails under one non-blocking spine layer.
struct RailOptimizedParams {
  FabricParams fabric;
};

// DeepSeek's multi-plane two-layer fat-tree (Insights into DeepSeek-V3, ISCA25 §5): plane i is
// its own two-layer fat-tree joining NIC i of every node; planes share no switch.
struct MultiPlaneParams {
  FabricParams fabric;
};

// Classic two-layer fat-tree: whole nodes under a leaf; leaf uplink bandwidth = downlink
// bandwidth / oversubscription.
struct FatTreeParams {
  FabricParams fabric;
  double oversubscription = 1.0;
};

Topology build_hgx_node(const HgxNodeParams& p);
Topology build_rail_optimized(const RailOptimizedParams& p);
Topology build_multi_plane(const MultiPlaneParams& p);
Topology build_fat_tree(const FatTreeParams& p);

// Three-tier Clos: whole nodes under each leaf, the leaves of a pod under that pod's spines,
// the pods joined by a core layer; leaf uplinks = leaf downlinks / leaf_oversubscription, spine
// uplinks = spine downlinks / spine_oversubscription (switch ports at the NIC's rate).
struct Clos3Params {
  FabricParams fabric;
  double leaf_oversubscription = 1.0;
  double spine_oversubscription = 1.0;
};
Topology build_clos3(const Clos3Params& p);

// The builder the spec names. Throws UserError on figures no builder accepts.
Topology build_topology(const ClusterSpec& spec);

namespace topology_detail {
// Adds node `node` (GPUs and NVSwitch); returns the first GPU vertex. Used by all builders.
struct NodeVertices {
  std::int32_t first_gpu_vertex = 0;
  std::int32_t first_nvlink_cable = 0;  // GPU i's cable is first + 2 * i
};
NodeVertices add_hgx_node(Topology& t, int node, const HgxNodeParams& p);
// Adds one NIC per GPU of every node and registers the GPUs; `attach(node, local)` returns the
// switch vertex each NIC plugs into. Defined in fabric.cpp.
void add_nics(Topology& t, const FabricParams& f, const std::vector<NodeVertices>& nodes,
              const std::function<std::int32_t(int node, int local)>& attach);
// Adds `count` switch vertices of one kind; returns the first id (ids are consecutive).
std::int32_t add_switches(Topology& t, VertexKind kind, int count, int plane);
// Connects every leaf in [first_leaf, first_leaf + leaves) to every spine with an aggregated
// cable of `gbps_per_leaf / spines` GB/s (ECMP over parallel ports treated as perfect).
void connect_leaves_to_spines(Topology& t, std::int32_t first_leaf, int leaves,
                              std::int32_t first_spine, int spines, double gbps_per_leaf);
}  // namespace topology_detail

}  // namespace llmsim
