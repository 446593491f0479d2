#pragma once
// Scenario: one training job, parsed and validated once from a scenario YAML file (plus
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
//   cost:         {usd_per_gpu_hour}
//   reference:    [ {name, value, unit, source} ]   published figures, printed beside estimates
//   calibration:  <profile file>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/model_spec.hpp"
#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/parallel_plan.hpp"
#include "costmodel/describe/precision.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

// DeepSeek-V3 report s4.2: the batch grows linearly in tokens from `from_sequences` to
// `to_sequences` over the first `over_tokens` tokens, then stays at `to_sequences`.
struct BatchRamp {
  std::int64_t from_sequences = 0;
  std::int64_t to_sequences = 0;
  double over_tokens = 0.0;
};

struct TrainingPhase {
  std::string name;
  double tokens = 0.0;          // tokens trained in the phase (given, or steps x batch x seq_len)
  std::int64_t steps = 0;       // given steps; 0 when the phase is given in tokens
  std::int64_t seq_len = 4096;
  std::int64_t global_batch = 0;  // sequences per step (the ramp's final value with a ramp)
  std::optional<BatchRamp> ramp;
  ParallelPlan plan;

  // Micro-batches per pipeline per step at the largest batch.
  int micro_batches() const {
    return static_cast<int>(global_batch / (static_cast<std::int64_t>(plan.dp) * plan.micro_batch_size));
  }
};

struct ReferenceFigure {
  std::string name;
  double value = 0.0;
  std::string unit;
  std::string source;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  ModelSpec model;
  ClusterSpec cluster;
  GpuSpec gpu;                      // cluster.gpu resolved in the catalog or `hardware:`
  ParallelPlan plan;                // the top-level plan (phases may override parts)
  PrecisionRecipe precision;
  RecomputePolicy recompute = RecomputePolicy::kSelective;
  std::vector<TrainingPhase> phases;  // at least one
  double usd_per_gpu_hour = 0.0;
  std::vector<ReferenceFigure> reference;
  std::string calibration_file;     // resolved path, "" if none

  const TrainingPhase* find_phase(const std::string& name) const;
};

// Applies "path.to.key=value" to the tree: intermediate mappings are created, list elements
// are addressed by index ("training.phases.1.seq_len"), the value is parsed as YAML.
void apply_override(YAML::Node& root, const std::string& assignment);

// Parses and validates a scenario. `data_dir` holds models/ and clusters/.
Scenario read_scenario(YAML::Node root, const std::string& file, const std::string& data_dir);
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const std::string& data_dir);

}  // namespace llmsim
