#pragma once
// Scenario = hardware + model + plan + workload, as typed values. Code that builds scenarios
// (plan search, the GUI, tests) fills these directly; costmodel/read/scenario.hpp reads them
// from a scenario file with file:line:field errors, and describe/plan_check.hpp checks a plan
// without any YAML.
//
//   hardware  cluster (nodes, GPUs per node, fabric, NICs) and the GPU's specification
//   model     the architecture (dense / MoE, MHA / GQA / MLA, MTP)
//   plan      parallel layout and schedule (training), precision recipe
//   workload  a training job (phases of tokens at a batch and sequence length, recomputation)
//             or a serving job (describe/serving.hpp: deployments, traffic, latency targets)

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/model_spec.hpp"
#include "costmodel/describe/parallel_plan.hpp"
#include "costmodel/describe/precision.hpp"
#include "costmodel/describe/reference_figure.hpp"
#include "costmodel/describe/serving.hpp"
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

enum class WorkloadKind { kTraining, kServing };

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  // hardware
  ClusterSpec cluster;
  GpuSpec gpu;                      // cluster.gpu resolved in the catalog or `hardware:`
  // model
  ModelSpec model;
  // plan
  ParallelPlan plan;                // the top-level plan (phases may override parts)
  PrecisionRecipe precision;
  // workload: training (recompute, phases) or serving
  WorkloadKind workload = WorkloadKind::kTraining;
  RecomputePolicy recompute = RecomputePolicy::kSelective;
  KernelStack stack;                  // training.kernels: how the stack runs its kernels
  CommOverlap overlap;                // training.overlap: what communication it hides
  double expert_imbalance = 1.0;      // training.expert_imbalance: busiest EP rank / mean
  std::vector<TrainingPhase> phases;  // training: at least one
  ServingWorkload serving;            // serving only
  // costs and published figures
  double usd_per_gpu_hour = 0.0;
  std::vector<ReferenceFigure> reference;
  std::string calibration_file;     // resolved path, "" if none
  // The SM clock the run holds: the GPU's sustained clock under load (default), or the boost
  // clock its peaks are quoted at (`clock: boost`).
  bool boost_clock = false;
  // A kernel profile of another GPU than the cluster's is refused unless this is set
  // (`allow_profile_mismatch: true`).
  bool allow_profile_mismatch = false;
  // What reading it changed on the way, for the estimate's assumptions (e.g. a layer layout an
  // override's stage count left behind).
  std::vector<std::string> notes;

  const TrainingPhase* find_phase(const std::string& name) const;
};

// Throws UserError naming the scenario when it is not a training job: `what` is the command or
// view that needs one ("llmsim run").
void require_training(const Scenario& s, const std::string& what);

}  // namespace llmsim
