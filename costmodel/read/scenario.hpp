#pragma once
// Reading a Scenario (costmodel/describe/scenario.hpp): parsed and validated once from a
// scenario YAML file (plus
// `--set path.to.key=value` overrides applied to the YAML tree before parsing, so errors still
// name the key; an overridden value's errors say "--set" instead of file:line).
//
//   name, description
//   model:        catalog name | model file (.yaml / config.json) | inline mapping | {hf_config: path}
//   cluster:      file name under scenarios/clusters/ (or a path) | inline mapping (cluster_file.hpp)
//   hardware:     [ {name, bf16_tflops, fp8_tflops, hbm_gb, hbm_tbps, ...} ]  user GPUs (hardware.hpp)
//   parallelism:  {tp, sp, cp, pp, vpp, dp, ep, zero, micro_batch_size, schedule}
//   precision:    fp8 (DeepSeek-V3's recipe) | bf16 | fp16
//   training:     {recompute: none|selective|full, tokens | steps, seq_len, global_batch |
//                  batch_ramp: {from, to, tokens}, phases: [ {name, tokens | steps, seq_len,
//                  global_batch | batch_ramp, parallelism: {...overrides}} ]}
//   serving:      {deployments, traffic, targets}  instead of training (serving_reader.hpp)
//   cost:         {usd_per_gpu_hour}
//   reference:    [ {id, quantity, value, conditions, source, ...} ]  published figures
//                  (reference_reader.hpp), printed beside estimates while conditions hold
//   calibration:  <profile file>

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "costmodel/describe/scenario.hpp"

namespace llmsim {

// Applies "path.to.key=value" to the tree: intermediate mappings are created, list elements
// are addressed by index ("training.phases.1.seq_len"), the value is parsed as YAML.
void apply_override(YAML::Node& root, const std::string& assignment);
// "gpus=N" (`--gpus N`, or `--set gpus=N`): not a field of the file but the scenario on N GPUs:
// cluster.nodes = N / gpus_per_node (a single-node box becomes rail-optimized), and every `dp`
// of the plan and of the phases removed, so that each follows from the GPUs (DP = GPUs / (TP x
// CP x PP)). UserError when N is not a whole number of nodes.
void set_gpu_count(YAML::Node& root, const std::string& assignment);
// What load_scenario does between loading the file at `path` and reading it: a `cluster.*`
// (or "gpus=") override on a cluster named by file first puts that file's mapping in the name's
// place, then each override is applied in order ("gpus=N" by set_gpu_count).
void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     const std::string& path, const std::string& data_dir);

// Parses and validates a scenario. `data_dir` holds models/ and clusters/.
Scenario read_scenario(YAML::Node root, const std::string& file, const std::string& data_dir);
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const std::string& data_dir);

}  // namespace llmsim
