// An 8-GPU HGX node: GPUs on one NVSwitch crossbar.

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

namespace topology_detail {

NodeVertices add_hgx_node(Topology& t, int node, const HgxNodeParams& p) {
  const std::int32_t nvswitch = t.add_vertex({VertexKind::kNvSwitch, node, 0, -1});
  NodeVertices nv;
  for (int i = 0; i < p.gpus; ++i) {
    const std::int32_t gpu = t.add_vertex({VertexKind::kGpu, node, i, -1});
    const std::int32_t cable =
        t.add_cable(gpu, nvswitch, p.nvlink_gbps, SimTime::from_ns(p.nvlink_latency.ns() / 2),
                    LinkKind::kNvlink);
    if (i == 0) {
      nv.first_gpu_vertex = gpu;
      nv.first_nvlink_cable = cable;
    }
  }
  return nv;
}

}  // namespace topology_detail

Topology build_hgx_node(const HgxNodeParams& p) {
  if (p.gpus < 1) throw UserError(fmt::format("an HGX node needs at least one GPU ({})", p.gpus));
  Topology t(fmt::format("hgx-{}gpu", p.gpus), p.gpus);
  const auto nv = topology_detail::add_hgx_node(t, 0, p);
  for (int i = 0; i < p.gpus; ++i) {
    // Vertices alternate GPU, so GPU i is first + i; its cable is first_cable + 2 * i.
    t.add_gpu(nv.first_gpu_vertex + i, nv.first_nvlink_cable + 2 * i, -1, -1, -1);
  }
  return t;
}

}  // namespace llmsim
