// Topology builders and routing: shapes, routes worked by hand, deterministic ECMP, PXN, and
// cluster files.

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {
namespace {

std::string kinds(const Topology& t, const Route& r) {
  std::string s;
  for (std::int32_t l : r.links) {
    const LinkKind k = t.link(l).kind;
    s += k == LinkKind::kNvlink ? 'V' : k == LinkKind::kPcie ? 'P' : 'N';
  }
  return s;
}

TEST_CASE("Topology: an HGX node routes GPU to GPU through the NVSwitch", "[network]") {
  const Topology t = build_hgx_node({});
  CHECK(t.gpus() == 8);
  CHECK(t.vertices() == 9);  // 8 GPUs + 1 NVSwitch
  CHECK(t.links() == 16);    // 8 cables, two directions each
  const Route r = t.route(0, 3);
  REQUIRE(r.links.size() == 2);
  CHECK(t.vertex_name(t.link(r.links[0]).from) == "gpu0");
  CHECK(t.vertex_name(t.link(r.links[1]).to) == "gpu3");
  CHECK(r.latency == SimTime::from_us(1.0));  // two cables of 0.5 us
  CHECK(t.route(2, 2).links.empty());
}

TEST_CASE("Topology: rail-optimized routes same rail under a leaf, other rails via a spine",
          "[network]") {
  FabricParams f;
  f.nodes = 4;
  const Topology t = build_rail_optimized({f});
  // gpu0 (node 0, rail 0) -> gpu8 (node 1, rail 0): GPU-NIC, NIC-leaf, leaf-NIC, NIC-GPU.
  CHECK(kinds(t, t.route(0, 8)) == "PNNP");
  // gpu0 -> gpu9 (rail 1): up to a spine and down to rail 1's leaf.
  const Route r = t.route(0, 9);
  CHECK(kinds(t, r) == "PNNNNP");
  CHECK(t.vertex(t.link(r.links[2]).to).kind == VertexKind::kSpine);
  CHECK(r.latency == SimTime::from_us(2.0));
}

TEST_CASE("Topology: D-mod-K routing is deterministic and spreads pairs over spines", "[network]") {
  FabricParams f;
  f.nodes = 64;  // 2 leaves per rail, 16 leaves, 8 spines
  const Topology t = build_rail_optimized({f});
  std::set<std::int32_t> spines;
  for (int d = 9; d < t.gpus(); d += 8) {
    const Route a = t.route(0, d), b = t.route(0, d);
    REQUIRE(a.links == b.links);
    spines.insert(t.link(a.links[2]).to);
  }
  CHECK(spines.size() >= 4);
}

TEST_CASE("Topology: a three-tier Clos routes across pods through one core plane", "[network]") {
  // 16-port switches at 1:1: one 8-GPU node per leaf, 8 leaves per pod under 8 spines, each
  // spine with 8 core uplinks (core plane k joins spine k of every pod). 40 nodes: 5 pods.
  FabricParams f;
  f.nodes = 40;
  f.switch_ports = 16;
  const Topology t = build_clos3({f, 1.0, 1.0});
  // Same leaf: NVLink; next leaf in the pod: leaf, spine, leaf; another pod: up to a core.
  CHECK(kinds(t, t.route(0, 8)) == "PNNNNP");
  const Route far = t.route(0, 39 * 8);
  CHECK(kinds(t, far) == "PNNNNNNP");
  // The way down is the way up: the spine reached in the far pod has the index of the near one.
  const auto spine_index = [&](std::int32_t link) { return t.vertex(t.link(link).to).index % 8; };
  CHECK(spine_index(far.links[2]) == spine_index(far.links[4]));
  // Destination mod k: flows to the 8 GPUs of a node leave the first leaf by 8 spines.
  std::set<std::int32_t> spines;
  for (int d = 39 * 8; d < 40 * 8; ++d) spines.insert(t.link(t.route(0, d).links[2]).to);
  CHECK(spines.size() == 8);
}

TEST_CASE("Topology: multi-plane crosses NVLink to reach another plane (PXN)", "[network]") {
  FabricParams f;
  f.nodes = 2;
  const Topology t = build_multi_plane({f});
  CHECK(kinds(t, t.route(0, 8)) == "PNNP");  // same plane
  // gpu0 -> gpu9: NVLink to gpu1 (plane 1), then plane 1.
  const Route r = t.route(0, 9);
  CHECK(kinds(t, r) == "VVPNNP");
  CHECK(t.vertex_name(t.link(r.links[1]).to) == "gpu1");
  CHECK(r.latency == SimTime::from_us(3.0));
}

TEST_CASE("Topology: fat-tree leaves get downlink bandwidth over oversubscription", "[network]") {
  FatTreeParams p;
  p.fabric.nodes = 12;
  p.oversubscription = 3.0;
  const Topology t = build_fat_tree(p);
  // 64 ports split 48 down : 16 up; 6 nodes (48 NICs) per leaf, 2 leaves.
  // Uplink capacity per leaf = 48 * 50 / 3 = 800 GB/s, over all spines.
  double up = 0.0;
  for (std::int32_t l = 0; l < t.links(); ++l) {
    const LinkInfo& li = t.link(l);
    if (t.vertex(li.from).kind == VertexKind::kLeaf && t.vertex(li.to).kind == VertexKind::kSpine &&
        t.vertex(li.from).index == 0) {
      up += li.gbps;
    }
  }
  CHECK(up == Approx(800.0));
  CHECK(kinds(t, t.route(0, 8)) == "PNNP");     // same leaf
  CHECK(kinds(t, t.route(0, 48)) == "PNNNNP");  // node 6: the other leaf
}

TEST_CASE("Topology: h800.yaml builds DeepSeek's 2048-GPU multi-plane cluster", "[network]") {
  const ClusterSpec c = load_cluster_file(LLMSIM_SOURCE_DIR "/scenarios/clusters/h800.yaml");
  CHECK(c.gpus() == 2048);
  CHECK(c.nvlink_gbps == 160.0);
  CHECK(c.nic_gbps * c.nic_efficiency == Approx(40.0));
  const Topology t = build_topology(c);
  // 2048 GPUs + 256 NVSwitches + 2048 NICs + 8 planes x (8 leaves + 4 spines).
  CHECK(t.vertices() == 2048 + 256 + 2048 + 8 * 12);
  CHECK(kinds(t, t.route(0, 2047 - 7)) == "PNNNNP");  // plane 0, other leaf: via a spine
}

TEST_CASE("Topology: every shipped cluster file loads and builds", "[network]") {
  for (const char* name : {"h800", "h100", "h200", "a100", "b200", "gb200-nvl72"}) {
    const ClusterSpec c =
        load_cluster_file(std::string(LLMSIM_SOURCE_DIR "/scenarios/clusters/") + name + ".yaml");
    CHECK_FALSE(c.source.empty());
    CHECK(build_topology(c).gpus() == c.gpus());
  }
}

TEST_CASE("Topology: a bad cluster file names the file, line and key", "[network]") {
  YamlMap m(load_yaml_string("name: x\nnodes: 2\nnic_efficiency: 1.5\n", "bad.yaml"), "bad.yaml",
            "");
  try {
    read_cluster(m);
    FAIL("no error");
  } catch (const UserError& e) {
    const std::string what = e.what();
    CHECK(what.find("bad.yaml:3") != std::string::npos);
    CHECK(what.find("nic_efficiency") != std::string::npos);
  }
}

}  // namespace
}  // namespace llmsim
