#pragma once
// Plan search, part 1 of 4: the candidate generator. A candidate is one training plan on one
// hardware choice (GPU type and count): TP, PP, virtual stages, EP, micro-batch size, pipeline
// schedule, recomputation, ZeRO stage and precision recipe; DP is derived as
// gpus / (tp x cp x pp) for each phase (its CP is the scenario's). The generator keeps only the
// shape rules (every listed value, TP within a node, tp x pp dividing the GPUs, EP only for MoE
// models, virtual stages only for the interleaved schedule, FP8 only on GPUs with FP8, and PP 1
// with 1F1B only: without a pipeline every schedule is the same); whether
// the plan suits the model, the batch and the memory is the pruner's question
// (plan_pruner.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include "costmodel/describe/parallel_plan.hpp"
#include "costmodel/describe/precision.hpp"
#include "costmodel/describe/scenario.hpp"

namespace llmsim::plan {

// The values each plan field may take. default_space() gives the documented defaults.
struct PlanSpace {
  std::vector<int> tp;
  std::vector<int> pp;
  std::vector<int> vpp;  // virtual stages of the interleaved schedule (values > 1)
  std::vector<int> ep;   // MoE models only; dense models use 1
  std::vector<int> micro_batch_sizes;
  std::vector<int> zero_stages;
  std::vector<ScheduleMethod> schedules;
  std::vector<RecomputePolicy> recompute;
  std::vector<RecipeKind> precisions;
};

// Powers of two: TP 1..nvlink_gpus (ClusterSpec::domain_gpus: the node or the NVLink domain); PP 1..64 (at most the model's layers); VPP 2, 4; EP
// 1..routed experts (MoE) or 1; micro-batch 1, 2. ZeRO 0 and 1 (Megatron-LM's and DeepSeek's
// distributed optimizer is ZeRO-1; DeepSpeed refuses ZeRO-2 / 3 with pipeline parallelism, and
// the step model does not charge ZeRO-3's per-layer parameter gathers, so they are opt-in).
// Every schedule; recompute none, selective, full; FP8 (DeepSeek's recipe) and BF16.
PlanSpace default_space(const ModelSpec& model, int nvlink_gpus);

// One hardware choice the search covers: the scenario on `gpus` GPUs of type `gpu`.
struct Hardware {
  std::string gpu;  // catalog name, "H800"
  int gpus = 0;
  Scenario scenario;  // the user's scenario on this cluster (phases, prices, profile file)
};

struct Candidate {
  std::size_t hardware = 0;  // index into the searched Hardware list
  std::string gpu;
  int gpus = 0;
  ParallelPlan plan;  // the first phase's plan; dp derived from its cp
  RecipeKind precision = RecipeKind::kBF16;
  RecomputePolicy recompute = RecomputePolicy::kSelective;
  std::string key;  // candidate_key(): the plan in one canonical string
};

// "H800 g02048 tp1 pp16 vpp1 ep064 mb1 z1 dualpipe selective fp8": fixed field order and
// widths, so that keys sort the same everywhere and name one plan each.
std::string candidate_key(const Candidate& c);

// Every candidate of `space` on each hardware choice, in key order.
std::vector<Candidate> generate_candidates(const PlanSpace& space,
                                           const std::vector<Hardware>& hardware);

// The scenario `c` describes: `base` (its hardware's scenario) with the candidate's plan in
// every phase (each phase keeps its CP; its DP is gpus / (tp x cp x pp)), precision and
// recomputation.
Scenario apply_candidate(const Scenario& base, const Candidate& c);

}  // namespace llmsim::plan
