#pragma once
// Topology: a cluster as a graph (Boost.Graph inside, hidden behind this header). Vertices are
// GPUs, NVSwitches, NICs and leaf / spine switches; every cable is two directed links, one per
// direction (full duplex), each with a bandwidth in GB/s (== bytes per ns) and a latency.
// Builders (sim/topology/builders.hpp) create topologies; the flow network routes over them.
//
// Routing (route()): inside a node, GPU -> NVSwitch -> GPU. Across nodes, GPU -> its NIC ->
// the switch fabric -> the destination NIC -> GPU, where the fabric path is a Boost.Graph
// BFS shortest path over switches, and among equal-cost next hops the one at index
// hash(src, dst, hop) mod count (deterministic ECMP, no randomness). When the two NICs share no
// fabric (different planes of a multi-plane network), the flow first crosses NVLink to the GPU
// of the source node whose NIC is on the destination's plane (NCCL's PXN).
//
// route() caches BFS distances per destination switch, so it is not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/sim_time.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

enum class VertexKind : std::uint8_t { kGpu, kNvSwitch, kNic, kLeaf, kSpine, kCore };
enum class LinkKind : std::uint8_t { kNvlink, kPcie, kNetwork };

struct LinkInfo {
  std::int32_t from = 0;  // vertex ids
  std::int32_t to = 0;
  double gbps = 0.0;  // bandwidth in this direction, GB/s (1e9 bytes/s == bytes/ns)
  SimTime latency;
  LinkKind kind = LinkKind::kNvlink;
};

struct VertexInfo {
  VertexKind kind = VertexKind::kGpu;
  std::int32_t node = -1;   // the node of a GPU, NVSwitch or NIC; -1 for fabric switches
  std::int32_t index = 0;   // GPU / NIC local index; switch index within its layer
  std::int32_t plane = -1;  // multi-plane: the plane of a NIC or switch
};

// A route: directed link ids from source to destination, and the sum of their latencies.
struct Route {
  std::vector<std::int32_t> links;
  SimTime latency;
};

class Topology {
 public:
  Topology(std::string name, int gpus_per_node);
  ~Topology();
  Topology(Topology&&) noexcept;
  Topology& operator=(Topology&&) noexcept;
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // --- building (builders only) ---
  void set_routing(FabricRouting r) { routing_ = r; }
  std::int32_t add_vertex(const VertexInfo& v);
  // A full-duplex cable: returns the id of the u -> v link; v -> u is that id + 1.
  std::int32_t add_cable(std::int32_t u, std::int32_t v, double gbps, SimTime latency,
                         LinkKind kind);
  // Declares GPU `gpu` (global id, node * gpus_per_node + local index, added in order): its
  // NVLink cable to the NVSwitch and, on multi-node clusters, its NIC, the GPU-NIC cable and the
  // NIC's cable into the fabric (-1 when absent).
  void add_gpu(std::int32_t gpu_vertex, std::int32_t nvlink_cable, std::int32_t nic_vertex,
               std::int32_t pcie_cable, std::int32_t nic_cable);

  // --- queries ---
  const std::string& name() const { return name_; }
  int gpus() const { return static_cast<int>(gpus_.size()); }
  int gpus_per_node() const { return gpus_per_node_; }
  int node_of(int gpu) const { return gpu / gpus_per_node_; }
  int links() const { return static_cast<int>(links_.size()); }
  int vertices() const { return static_cast<int>(vertices_.size()); }
  const LinkInfo& link(std::int32_t id) const { return links_[static_cast<std::size_t>(id)]; }
  const VertexInfo& vertex(std::int32_t id) const {
    return vertices_[static_cast<std::size_t>(id)];
  }
  std::string vertex_name(std::int32_t id) const;
  std::string link_name(std::int32_t id) const;

  // The route from GPU src to GPU dst (empty when src == dst). Throws InternalError when no
  // route exists (a builder bug).
  Route route(int src, int dst) const;
  // GPU -> NVSwitch -> the same GPU: a copy a GPU makes to itself through its NVLink port
  // (used by the DeepEP model; see sim/collectives/expert_all_to_all.cpp).
  Route loopback_route(int gpu) const;

 private:
  struct Gpu {
    std::int32_t vertex = -1;
    std::int32_t nv_up = -1, nv_down = -1;      // GPU -> NVSwitch, NVSwitch -> GPU
    std::int32_t nic = -1;                      // NIC vertex
    std::int32_t pcie_up = -1, pcie_down = -1;  // GPU -> NIC, NIC -> GPU
    std::int32_t nic_up = -1, nic_down = -1;    // NIC -> switch, switch -> NIC
  };
  struct Graph;  // the Boost.Graph adjacency list and the routing caches
  // Appends the fabric links from switch a to switch b; false when b is unreachable.
  // `dst`: the destination GPU (D-mod-K); `hash`: the flow's (ECMP).
  bool fabric_path(std::int32_t a, std::int32_t b, int dst, std::uint64_t hash,
                   std::vector<std::int32_t>& out) const;
  void append_internode(int src, int dst, std::uint64_t hash, Route& r, bool& ok) const;
  int dmodk_key(int dst) const;

  std::string name_;
  int gpus_per_node_ = 8;
  FabricRouting routing_ = FabricRouting::kDestModK;
  std::vector<VertexInfo> vertices_;
  std::vector<LinkInfo> links_;
  std::vector<Gpu> gpus_;
  std::unique_ptr<Graph> graph_;
};

}  // namespace llmsim
