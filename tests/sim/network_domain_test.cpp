// NVLink domains larger than a node (GB200 NVL72) and the link report of a flow simulation:
// which links a collective keeps busy, per link and per tier.

#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "costmodel/read/cluster_file.hpp"
#include "sim/check.hpp"
#include "sim/collectives/collective_runner.hpp"
#include "sim/network/link_usage.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {
namespace {

ClusterSpec nvl72() {
  return load_cluster_file(LLMSIM_SOURCE_DIR "/scenarios/clusters/gb200-nvl72.yaml");
}

// The same GPUs, NVLink and NICs in 8-GPU HGX B200 nodes: NVLink stops at the node.
ClusterSpec b200_nodes(int nodes) {
  ClusterSpec c = nvl72();
  c.name = "b200-8gpu-nodes";
  c.gpus_per_node = 8;
  c.nvlink_domain_gpus = 0;
  c.nodes = nodes;
  return c;
}

CollectiveRequest request(CollectiveOp op, int gpus, double bytes) {
  CollectiveRequest q;
  q.op = op;
  q.gpus = gpus;
  q.bytes = bytes;
  return q;
}

LinkTier busiest_tier(const CollectiveResult& r) {
  REQUIRE_FALSE(r.busiest_links.empty());
  return r.busiest_links.front().tier;
}

}  // namespace

TEST_CASE("NVLink domain: gb200-nvl72.yaml is 8 racks of 72 GPUs on NVLink", "[network]") {
  const ClusterSpec c = nvl72();
  CHECK(c.gpus() == 576);
  CHECK(c.gpus_per_node == 4);
  CHECK(c.domain_gpus() == 72);
  CHECK(c.domains() == 8);
  const Topology t = build_topology(c);
  CHECK(t.gpus() == 576);
  // GPU 0 and GPU 71 sit on different trays of one rack: NVLink, two hops.
  const Route in = t.route(0, 71);
  REQUIRE(in.links.size() == 2);
  CHECK(t.link(in.links[0]).kind == LinkKind::kNvlink);
  // GPU 72 is in the next rack: through the NICs.
  const Route out = t.route(0, 72);
  CHECK(t.link(out.links[0]).kind == LinkKind::kPcie);
  // A domain that is not whole nodes, or does not divide the cluster, is refused.
  ClusterSpec bad = c;
  bad.nvlink_domain_gpus = 70;
  CHECK_THROWS_AS(build_topology(bad), UserError);
  YamlMap m(load_yaml_string("name: x\nnodes: 5\ngpus_per_node: 4\nnvlink_domain_gpus: 8\n",
                             "bad.yaml"),
            "bad.yaml", "");
  CHECK_THROWS_WITH(read_cluster(m), Catch::Contains("nvlink_domain_gpus"));
}

TEST_CASE("NVLink domain: EP64 all-to-all inside one NVL72 rack beats 8-GPU nodes over IB",
          "[network]") {
  // All-to-all of S bytes per GPU over 64 GPUs. In one NVL72 domain each GPU sends 63/64 S over
  // its NVLink port at 720 GB/s. On 8 nodes of 8 each GPU sends 56/64 S through its 50 GB/s NIC
  // (7/64 S over NVLink): NIC-bound. Ratio (56/64 / 50) / (63/64 / 720) = 12.8.
  const double s = 1e9;
  const CollectiveResult rack =
      run_collective(nvl72(), request(CollectiveOp::kAllToAll, 64, s), CollectiveMode::kFlow);
  const CollectiveResult ib =
      run_collective(b200_nodes(8), request(CollectiveOp::kAllToAll, 64, s), CollectiveMode::kFlow);
  const double ratio = ib.time.seconds() / rack.time.seconds();
  fmt::print("EP64 all-to-all, 1 GB per GPU: NVL72 {:.3f} ms, 8-GPU B200 nodes over IB {:.3f} ms, "
             "ratio {:.2f} (bandwidth share: 12.8)\n",
             rack.time.seconds() * 1e3, ib.time.seconds() * 1e3, ratio);
  CHECK(ratio == Approx(56.0 / 64.0 / 50.0 / (63.0 / 64.0 / 720.0)).epsilon(0.03));
  CHECK(busiest_tier(rack) == LinkTier::kNvlink);
  CHECK(busiest_tier(ib) != LinkTier::kNvlink);

  // DeepEP's dispatch of 4096 tokens (hidden 7168, top-8 of 256 experts) over EP64: in the rack
  // every copy goes over NVLink; across nodes the RDMA leg through the NIC sets the pace.
  CollectiveRequest d;
  d.op = CollectiveOp::kEpDispatch;
  d.gpus = 64;
  const CollectiveResult drack = run_collective(nvl72(), d, CollectiveMode::kFlow);
  const CollectiveResult dib = run_collective(b200_nodes(8), d, CollectiveMode::kFlow);
  fmt::print("EP64 dispatch: NVL72 {:.1f} us, 8-GPU B200 nodes over IB {:.1f} us, ratio {:.2f}\n",
             drack.time.us(), dib.time.us(), dib.time.seconds() / drack.time.seconds());
  CHECK(dib.time.seconds() > 4.0 * drack.time.seconds());
}

TEST_CASE("NVLink domain: TP16 stays on NVLink in a rack and crosses the NICs on 8-GPU nodes",
          "[network]") {
  const double s = 8e9;  // latency (30 steps of 1 us) is 0.1% of the time
  const CollectiveResult rack =
      run_collective(nvl72(), request(CollectiveOp::kAllReduce, 16, s), CollectiveMode::kFlow);
  const CollectiveResult ib =
      run_collective(b200_nodes(2), request(CollectiveOp::kAllReduce, 16, s), CollectiveMode::kFlow);
  // In the rack the ring runs at NVLink's 720 GB/s bus bandwidth.
  CHECK(rack.busbw_gbps == Approx(720.0).epsilon(0.01));
  CHECK(busiest_tier(rack) == LinkTier::kNvlink);
  // Across two 8-GPU nodes the NICs carry the ring's node crossings: slower.
  CHECK(ib.busbw_gbps < 0.75 * rack.busbw_gbps);
  CHECK(busiest_tier(ib) != LinkTier::kNvlink);
}

TEST_CASE("Links: on a 2:1 fat-tree the spine is a cross-node DP all-reduce's bottleneck and "
          "NVLink a TP all-reduce's", "[network]") {
  // 8 nodes of 8 A100 (NIC 25 GB/s), one node per leaf (16-port switches at 2:1: 8 NIC ports
  // down, 4 x 25 GB/s up per leaf). The 8 DP groups (one GPU per node each) all-reduce together:
  // each leaf sends 8 x 25 GB/s of ring traffic into 100 GB/s of uplinks.
  ClusterSpec c;
  c.name = "fat-tree-2to1";
  c.gpu = "A100-80GB";
  c.nodes = 8;
  c.nvlink_gbps = 240;
  c.nic_gbps = 25;
  c.topology = TopologyKind::kFatTree;
  c.switch_ports = 16;
  c.oversubscription = 2.0;
  CollectiveRequest dp = request(CollectiveOp::kAllReduce, 8, 1e9);
  dp.per_node = 1;
  dp.concurrent = 8;
  const CollectiveResult r = run_collective(c, dp, CollectiveMode::kFlow);
  CHECK(busiest_tier(r) == LinkTier::kLeafSpine);
  CHECK(r.busiest_links.front().utilization > 0.95);
  CHECK(r.busiest_links.size() <= kBusiestLinks);
  bool nic_seen = false;
  for (const TierLoad& t : r.tiers) {
    if (t.tier == LinkTier::kNicLeaf) {
      nic_seen = true;
      CHECK(t.utilization < 0.6);  // the NICs wait on the spine: about half busy
    }
  }
  CHECK(nic_seen);
  const CollectiveResult tp =
      run_collective(c, request(CollectiveOp::kAllReduce, 8, 1e9), CollectiveMode::kFlow);
  CHECK(busiest_tier(tp) == LinkTier::kNvlink);
  REQUIRE(tp.tiers.size() == 1);
  CHECK(tp.tiers.front().utilization == Approx(1.0).epsilon(0.01));
  // Busy time is bytes over bandwidth.
  const LinkLoad& l = tp.busiest_links.front();
  CHECK(l.busy_s == Approx(l.bytes / 240e9).epsilon(1e-9));
}

}  // namespace llmsim
