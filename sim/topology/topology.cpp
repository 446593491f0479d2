#include "sim/topology/topology.hpp"

#include <functional>
#include <limits>
#include <unordered_map>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/visitors.hpp>
#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

struct EdgeProps {
  std::int32_t link = 0;
};
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                         boost::no_property, EdgeProps>;
using BoostVertex = boost::graph_traits<BoostGraph>::vertex_descriptor;

constexpr std::int32_t kUnreachable = std::numeric_limits<std::int32_t>::max();

bool is_switch(VertexKind k) {
  return k == VertexKind::kLeaf || k == VertexKind::kSpine || k == VertexKind::kCore;
}

// splitmix64: a fixed, portable mixing function for the ECMP choice.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

struct Topology::Graph {
  BoostGraph g;
  // Per destination switch: BFS hop distances over the switch-only subgraph.
  std::unordered_map<std::int32_t, std::vector<std::int32_t>> dist_to;
};

Topology::Topology(std::string name, int gpus_per_node)
    : name_(std::move(name)), gpus_per_node_(gpus_per_node), graph_(std::make_unique<Graph>()) {}
Topology::~Topology() = default;
Topology::Topology(Topology&&) noexcept = default;
Topology& Topology::operator=(Topology&&) noexcept = default;

std::int32_t Topology::add_vertex(const VertexInfo& v) {
  const auto id = static_cast<std::int32_t>(boost::add_vertex(graph_->g));
  LLMSIM_CHECK(id == static_cast<std::int32_t>(vertices_.size()), "vertex ids out of step");
  vertices_.push_back(v);
  return id;
}

std::int32_t Topology::add_cable(std::int32_t u, std::int32_t v, double gbps, SimTime latency,
                                 LinkKind kind) {
  LLMSIM_CHECK(gbps > 0.0, "a link needs a positive bandwidth");
  const auto id = static_cast<std::int32_t>(links_.size());
  links_.push_back({u, v, gbps, latency, kind});
  links_.push_back({v, u, gbps, latency, kind});
  boost::add_edge(static_cast<BoostVertex>(u), static_cast<BoostVertex>(v), EdgeProps{id},
                  graph_->g);
  boost::add_edge(static_cast<BoostVertex>(v), static_cast<BoostVertex>(u), EdgeProps{id + 1},
                  graph_->g);
  return id;
}

void Topology::add_gpu(std::int32_t gpu_vertex, std::int32_t nvlink_cable, std::int32_t nic_vertex,
                       std::int32_t pcie_cable, std::int32_t nic_cable) {
  Gpu g;
  g.vertex = gpu_vertex;
  if (nvlink_cable >= 0) {
    LLMSIM_CHECK(links_[static_cast<std::size_t>(nvlink_cable)].from == gpu_vertex,
                 "the NVLink cable must start at the GPU");
    g.nv_up = nvlink_cable;
    g.nv_down = nvlink_cable + 1;
  }
  g.nic = nic_vertex;
  if (pcie_cable >= 0) {
    g.pcie_up = pcie_cable;
    g.pcie_down = pcie_cable + 1;
  }
  if (nic_cable >= 0) {
    LLMSIM_CHECK(links_[static_cast<std::size_t>(nic_cable)].from == nic_vertex,
                 "the NIC cable must start at the NIC");
    g.nic_up = nic_cable;
    g.nic_down = nic_cable + 1;
  }
  gpus_.push_back(g);
}

std::string Topology::vertex_name(std::int32_t id) const {
  const VertexInfo& v = vertex(id);
  switch (v.kind) {
    case VertexKind::kGpu: return fmt::format("gpu{}", v.node * gpus_per_node_ + v.index);
    case VertexKind::kNvSwitch: return fmt::format("nvswitch(node{})", v.node);
    case VertexKind::kNic: return fmt::format("nic(gpu{})", v.node * gpus_per_node_ + v.index);
    case VertexKind::kLeaf:
      return v.plane >= 0 ? fmt::format("leaf{}(plane{})", v.index, v.plane)
                          : fmt::format("leaf{}", v.index);
    case VertexKind::kSpine:
      return v.plane >= 0 ? fmt::format("spine{}(plane{})", v.index, v.plane)
                          : fmt::format("spine{}", v.index);
    case VertexKind::kCore: return fmt::format("core{}(plane{})", v.index, v.plane);
  }
  return "?";
}

std::string Topology::link_name(std::int32_t id) const {
  const LinkInfo& l = link(id);
  const char* kind = l.kind == LinkKind::kNvlink ? "NVLink"
                     : l.kind == LinkKind::kPcie ? "GPU-NIC"
                                                 : "network";
  return fmt::format("{} -> {} ({}, {:.4g} GB/s)", vertex_name(l.from), vertex_name(l.to), kind,
                     l.gbps);
}

bool Topology::fabric_path(std::int32_t a, std::int32_t b, int dst, std::uint64_t hash,
                           std::vector<std::int32_t>& out) const {
  if (a == b) return true;
  auto it = graph_->dist_to.find(b);
  if (it == graph_->dist_to.end()) {
    // BFS from b over switches only. Every cable is two directed links with equal figures, so
    // hop distances from b equal hop distances to b.
    std::vector<std::int32_t> dist(vertices_.size(), kUnreachable);
    auto keep = [this](BoostVertex v) { return is_switch(vertices_[v].kind); };
    boost::filtered_graph<BoostGraph, boost::keep_all, std::function<bool(BoostVertex)>> fg(
        graph_->g, boost::keep_all(), keep);
    dist[static_cast<std::size_t>(b)] = 0;
    boost::breadth_first_search(fg, static_cast<BoostVertex>(b),
                                boost::visitor(boost::make_bfs_visitor(
                                    boost::record_distances(dist.data(), boost::on_tree_edge()))));
    it = graph_->dist_to.emplace(b, std::move(dist)).first;
  }
  const std::vector<std::int32_t>& dist = it->second;
  std::int32_t cur = a;
  if (dist[static_cast<std::size_t>(cur)] == kUnreachable) return false;
  std::vector<std::int32_t> next;
  std::uint64_t divisor = 1;  // D-mod-K: the product of the earlier choices' widths
  for (std::uint64_t hop = 0; cur != b; ++hop) {
    next.clear();
    const std::int32_t want = dist[static_cast<std::size_t>(cur)] - 1;
    for (auto [e, end] = boost::out_edges(static_cast<BoostVertex>(cur), graph_->g); e != end;
         ++e) {
      const auto w = static_cast<std::size_t>(boost::target(*e, graph_->g));
      if (is_switch(vertices_[w].kind) && dist[w] == want) next.push_back(graph_->g[*e].link);
    }
    LLMSIM_CHECK(!next.empty(), "BFS distances admit no next hop");
    std::size_t pick = 0;
    if (routing_ == FabricRouting::kDestModK) {
      pick = static_cast<std::size_t>(static_cast<std::uint64_t>(dst) / divisor % next.size());
      if (next.size() > 1) divisor *= next.size();
    } else {
      pick = static_cast<std::size_t>(mix(hash + hop) % next.size());
    }
    const std::int32_t l = next[pick];
    out.push_back(l);
    cur = links_[static_cast<std::size_t>(l)].to;
  }
  return true;
}

int Topology::dmodk_key(int dst) const {
  // The destination's end-port index under D-mod-K: its GPU index where a node's NICs share a
  // leaf (fat-tree), its node where each leaf takes one NIC per node (rail-optimized,
  // multi-plane).
  const int first = node_of(dst) * gpus_per_node_, last = first + gpus_per_node_ - 1;
  const auto leaf = [this](int gpu) {
    return links_[static_cast<std::size_t>(gpus_[static_cast<std::size_t>(gpu)].nic_up)].to;
  };
  return leaf(first) == leaf(last) ? dst : node_of(dst);
}

void Topology::append_internode(int src, int dst, std::uint64_t hash, Route& r, bool& ok) const {
  const Gpu& s = gpus_[static_cast<std::size_t>(src)];
  const Gpu& d = gpus_[static_cast<std::size_t>(dst)];
  ok = false;
  if (s.nic_up < 0 || d.nic_up < 0) return;
  const std::size_t mark = r.links.size();
  r.links.push_back(s.pcie_up);
  r.links.push_back(s.nic_up);
  const std::int32_t a = links_[static_cast<std::size_t>(s.nic_up)].to;
  const std::int32_t b = links_[static_cast<std::size_t>(d.nic_up)].to;
  if (!fabric_path(a, b, dmodk_key(dst), hash, r.links)) {
    r.links.resize(mark);
    return;
  }
  r.links.push_back(d.nic_down);
  r.links.push_back(d.pcie_down);
  ok = true;
}

Route Topology::route(int src, int dst) const {
  LLMSIM_CHECK(src >= 0 && src < gpus() && dst >= 0 && dst < gpus(), "GPU id out of range");
  Route r;
  if (src == dst) return r;
  const Gpu& s = gpus_[static_cast<std::size_t>(src)];
  const Gpu& d = gpus_[static_cast<std::size_t>(dst)];
  if (node_of(src) == node_of(dst)) {
    r.links = {s.nv_up, d.nv_down};
  } else {
    const std::uint64_t hash =
        mix((static_cast<std::uint64_t>(src) << 32) ^ static_cast<std::uint64_t>(dst));
    bool ok = false;
    append_internode(src, dst, hash, r, ok);
    if (!ok) {
      // PXN: cross NVLink to the source node's GPU with the destination's local index (same
      // plane / rail), then leave through its NIC.
      const int local = dst % gpus_per_node_;
      const int relay = node_of(src) * gpus_per_node_ + local;
      r.links = {s.nv_up, gpus_[static_cast<std::size_t>(relay)].nv_down};
      append_internode(relay, dst, hash, r, ok);
    }
    LLMSIM_CHECK(ok, fmt::format("no route from gpu{} to gpu{} in {}", src, dst, name_));
  }
  for (std::int32_t l : r.links) r.latency += links_[static_cast<std::size_t>(l)].latency;
  return r;
}

Route Topology::loopback_route(int gpu) const {
  const Gpu& g = gpus_[static_cast<std::size_t>(gpu)];
  Route r;
  r.links = {g.nv_up, g.nv_down};
  r.latency = links_[static_cast<std::size_t>(g.nv_up)].latency +
              links_[static_cast<std::size_t>(g.nv_down)].latency;
  return r;
}

}  // namespace llmsim
