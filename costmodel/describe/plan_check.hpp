#pragma once
// Checking a plan over typed values, with no YAML: does the layout use the cluster's GPUs,
// divide the model's heads, experts and FFN (not the vocabulary: it is padded, padded_vocab in
// model_spec.hpp), suit the schedule, and does a batch split into micro-batches the schedule
// can run? Each problem names the plan field it is about
// (a key of the scenario's `parallelism:` or phase mapping), so that the scenario reader can
// report it at file:line:field and a plan search can skip the candidate.
//
// Memory fit is estimate_memory's question (costmodel/account/memory.hpp).

#include <cstdint>
#include <optional>
#include <string>

#include "costmodel/describe/model_spec.hpp"
#include "costmodel/describe/parallel_plan.hpp"
#include "costmodel/describe/scenario.hpp"

namespace llmsim {

struct PlanProblem {
  std::string field;    // "tp", "dp", "ep", "pp", "sp", "vpp", "seq_len", "global_batch", ...
  std::string message;  // what is wrong and what is allowed
};

inline constexpr int kMaxMicroBatches = 1 << 16;  // per pipeline per step

// The model chunks (pipeline stages) the plan's schedule splits the layers into: pp, pp x vpp
// for interleaved 1F1B, 2 x pp for ZB-V and DualPipeV.
int model_chunks(const ParallelPlan& plan);

// The first problem of `plan` on a cluster of `gpus` GPUs for `model`.
std::optional<PlanProblem> check_plan(const ParallelPlan& plan, int gpus, const ModelSpec& model);

// `batch` sequences per step under `plan`: a multiple of dp x micro_batch_size, at most
// kMaxMicroBatches micro-batches, and (with `schedule`) a count the schedule can run.
// The problem's field is `field` (global_batch or batch_ramp).
std::optional<PlanProblem> check_batch(const ParallelPlan& plan, std::int64_t batch, bool schedule,
                                       const std::string& field);

// A phase: its plan's sequence split (seq_len a multiple of cp) and its batch (and the ramp's
// first batch, whose micro-batch count may be below the schedule's minimum: the step model
// raises it).
std::optional<PlanProblem> check_phase(const TrainingPhase& phase);

}  // namespace llmsim
