// Pieces the multi-node builders share: NICs, switch layers, leaf-spine cabling.

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim::topology_detail {

void add_nics(Topology& t, const FabricParams& f, const std::vector<NodeVertices>& nodes,
              const std::function<std::int32_t(int node, int local)>& attach) {
  const double host_gbps = f.nic_gbps * f.nic_efficiency;
  const SimTime half_ib = SimTime::from_ns(f.ib_latency.ns() / 2);
  for (int n = 0; n < static_cast<int>(nodes.size()); ++n) {
    for (int i = 0; i < f.node.gpus; ++i) {
      const std::int32_t gpu = nodes[static_cast<std::size_t>(n)].first_gpu_vertex + i;
      const std::int32_t nic = t.add_vertex({VertexKind::kNic, n, i, i});
      const std::int32_t pcie = t.add_cable(gpu, nic, host_gbps, half_ib, LinkKind::kPcie);
      const std::int32_t sw = attach(n, i);
      const std::int32_t cable =
          t.add_cable(nic, sw, host_gbps, SimTime::zero(), LinkKind::kNetwork);
      t.add_gpu(gpu, nodes[static_cast<std::size_t>(n)].first_nvlink_cable + 2 * i, nic, pcie,
                cable);
    }
  }
}

std::int32_t add_switches(Topology& t, VertexKind kind, int count, int plane) {
  std::int32_t first = -1;
  for (int i = 0; i < count; ++i) {
    const std::int32_t v = t.add_vertex({kind, -1, i, plane});
    if (i == 0) first = v;
  }
  return first;
}

void connect_leaves_to_spines(Topology& t, std::int32_t first_leaf, int leaves,
                              std::int32_t first_spine, int spines, double gbps_per_leaf) {
  LLMSIM_CHECK(spines > 0 || leaves <= 1, "several leaves need a spine layer");
  for (int l = 0; l < leaves; ++l) {
    for (int s = 0; s < spines; ++s) {
      t.add_cable(first_leaf + l, first_spine + s, gbps_per_leaf / spines, SimTime::zero(),
                  LinkKind::kNetwork);
    }
  }
}

}  // namespace llmsim::topology_detail
