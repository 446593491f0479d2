#include "costmodel/read/cluster_file.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"

namespace llmsim {

namespace fs = std::filesystem;

ClusterSpec read_cluster(YamlMap& m) {
  ClusterSpec c;
  c.name = m.string_or("name", "");
  c.gpu = m.string_or("gpu", c.gpu);
  c.nodes = static_cast<int>(m.integer_or("nodes", c.nodes, 1, 1 << 20));
  c.gpus_per_node = static_cast<int>(m.integer_or("gpus_per_node", c.gpus_per_node, 1, 72));
  c.nvlink_domain_gpus =
      static_cast<int>(m.integer_or("nvlink_domain_gpus", c.gpus_per_node, 1, 1 << 16));
  c.nvlink_gbps = m.number_or("nvlink_gbps", c.nvlink_gbps, 1e-3, 1e5);
  c.nic_gbps = m.number_or("nic_gbps", c.nic_gbps, 1e-3, 1e5);
  c.nic_efficiency = m.number_or("nic_efficiency", c.nic_efficiency, 0.01, 1.0);
  c.ep_forward_gbps = m.number_or("ep_forward_gbps", c.ep_forward_gbps, 0.0, 1e5);
  const std::string topo = m.choice_or("topology", c.nodes == 1 ? "single-node" : "rail-optimized",
                                       {"single-node", "rail-optimized", "multi-plane", "fat-tree"});
  if (topo == "single-node") c.topology = TopologyKind::kSingleNode;
  else if (topo == "rail-optimized") c.topology = TopologyKind::kRailOptimized;
  else if (topo == "multi-plane") c.topology = TopologyKind::kMultiPlane;
  else c.topology = TopologyKind::kFatTree;
  c.planes = static_cast<int>(m.integer_or("planes", c.gpus_per_node, 1, 64));
  c.switch_ports = static_cast<int>(m.integer_or("switch_ports", c.switch_ports, 4, 1024));
  c.oversubscription = m.number_or("oversubscription", c.oversubscription, 1.0, 64.0);
  c.tiers = static_cast<int>(m.integer_or("tiers", c.tiers, 2, 3));
  c.spine_oversubscription =
      m.number_or("spine_oversubscription", c.spine_oversubscription, 1.0, 64.0);
  c.routing = m.choice_or("routing", "d-mod-k", {"d-mod-k", "ecmp"}) == "ecmp"
                  ? FabricRouting::kEcmpHash
                  : FabricRouting::kDestModK;
  c.nvlink_latency_us = m.number_or("nvlink_latency_us", c.nvlink_latency_us, 0.0, 1e4);
  c.ib_latency_us = m.number_or("ib_latency_us", c.ib_latency_us, 0.0, 1e4);
  c.source = m.string_or("source", "");
  m.finish({"name", "gpu", "nodes", "gpus_per_node", "nvlink_domain_gpus", "nvlink_gbps",
            "nic_gbps", "nic_efficiency", "ep_forward_gbps", "topology", "planes", "switch_ports", "oversubscription",
            "tiers", "spine_oversubscription", "routing", "nvlink_latency_us", "ib_latency_us",
            "source"});
  if (c.topology == TopologyKind::kSingleNode && c.nodes != 1) {
    m.fail("topology", fmt::format("single-node needs nodes = 1 (nodes = {})", c.nodes));
  }
  if (c.topology == TopologyKind::kMultiPlane && c.planes != c.gpus_per_node) {
    m.fail("planes", fmt::format("multi-plane needs one plane per GPU-NIC pair, i.e. planes = "
                                 "gpus_per_node = {}",
                                 c.gpus_per_node));
  }
  if (c.nvlink_domain_gpus % c.gpus_per_node != 0 || c.gpus() % c.nvlink_domain_gpus != 0) {
    m.fail("nvlink_domain_gpus",
           fmt::format("must be a multiple of gpus_per_node = {} and divide the cluster's {} "
                       "GPUs (nodes x gpus_per_node)",
                       c.gpus_per_node, c.gpus()));
  }
  if (c.nvlink_domain_gpus == c.gpus_per_node) c.nvlink_domain_gpus = 0;
  return c;
}

ClusterSpec load_cluster_file(const std::string& path) {
  YamlMap m(load_yaml_file(path), path, "");
  return read_cluster(m);
}

std::vector<std::string> catalog_clusters(const std::string& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(data_dir) / "clusters", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".yaml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string find_cluster_file(const std::string& name, const std::string& base_dir,
                              const std::string& data_dir) {
  const std::string path = resolve_path(name, base_dir);
  if (!path.empty() && !fs::is_directory(path)) return path;
  return resolve_path((fs::path(data_dir) / "clusters" / (name + ".yaml")).string(), "");
}

}  // namespace llmsim
