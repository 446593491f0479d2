#pragma once
// Reading a ClusterSpec from YAML: a file under scenarios/clusters/, or the `cluster:` mapping
// of a scenario. Every error names file, line, key, value and what is allowed.
//
//   name: h800-2048            gpu: H800                 nodes: 256      gpus_per_node: 8
//   nvlink_domain_gpus: 8      (GPUs on one NVLink fabric; a multiple of gpus_per_node, e.g. 72)
//   nvlink_gbps: 160           nic_gbps: 50              nic_efficiency: 0.8
//   topology: multi-plane
//   planes: 8                  switch_ports: 64          oversubscription: 1
//   nvlink_latency_us: 1       ib_latency_us: 2          source: "..."

#include <string>
#include <vector>

#include "costmodel/read/yaml_reader.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

ClusterSpec read_cluster(YamlMap& map);
ClusterSpec load_cluster_file(const std::string& path);

// The catalog: names of data_dir/clusters/*.yaml (without .yaml), sorted.
std::vector<std::string> catalog_clusters(const std::string& data_dir);

// The file a cluster name refers to: a path (as given, or relative to base_dir), else a
// catalog name (data_dir/clusters/NAME.yaml); "" if neither exists.
std::string find_cluster_file(const std::string& name, const std::string& base_dir,
                              const std::string& data_dir);

}  // namespace llmsim
