#pragma once
// The training step, simulated, in parts:
//   stage_work.*    each stage's forward / input-gradient / weight-gradient work, from the
//                   operator account, timed by the OperatorTimer (costmodel/time)
//   comm_plan.*     which collective on which group each communication need becomes, what
//                   overlaps, the data-parallel gradient synchronization
//   step_streams.*  overlapped F&B pairs on two streams (sim's overlap executor) and the
//                   placement of every segment for traces and the GUI
//   step_model.*    this file: the micro-batch count, stage costs, the pipeline on sim's
//                   executor (data-parallel replicas are identical and simulated once), DP
//                   sync and optimizer, breakdown, MFU and memory
//   run_estimate.*  the costing of the run: phases and ramp into GPU-hours, dollars, days

#include <string>
#include <vector>

#include "costmodel/account/memory.hpp"
#include "costmodel/estimate/training/stage_work.hpp"
#include "costmodel/estimate/training/step_streams.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct StepOptions {
  int comm_sms = 20;  // SMs the all-to-all kernels reserve while overlapped (V3 report s3.2.2)
  // Collective times shared with other steps on the same cluster (plan search); null: none.
  CollectiveCache* collective_cache = nullptr;
};

// Where a step's time goes, on the pipeline rank that is busiest. The parts add up to the
// step time.
struct StepBreakdown {
  double compute_s = 0.0;         // kernels on the SMs (slowed where SMs are shared)
  double exposed_comm_s = 0.0;    // all-to-all / TP / CP communication not hidden by compute
  double bubble_s = 0.0;          // pipeline idle time of that rank
  double dp_sync_s = 0.0;         // exposed data-parallel gradient reduction and gather
  double optimizer_s = 0.0;
};

struct StepResult {
  std::int64_t global_batch = 0;  // sequences per step
  int micro_batches = 0;          // per pipeline
  std::int64_t seq_len = 0;
  double step_time_s = 0.0;
  double tokens_per_step = 0.0;
  double tokens_per_second = 0.0;
  double model_flops_causal = 0.0;  // per step, whole cluster
  double model_flops_full = 0.0;
  double tflops_per_gpu = 0.0;      // causal-attention convention, 1e12 FLOP/s
  double mfu_bf16_causal = 0.0;     // against the GPU's dense BF16 peak
  double mfu_bf16_full = 0.0;
  double mfu_fp8_causal = 0.0;      // against the dense FP8 peak (0: the GPU has no FP8)
  // Hardware FLOPs: the model's (causal) plus the forward FLOPs recomputed in the backward
  // (Korthikanti et al. 2022 s5's HFU); against the BF16 peak.
  double hardware_flops = 0.0;
  double hfu_bf16 = 0.0;
  double hfu_fp8 = 0.0;             // against the dense FP8 peak (0: the GPU has no FP8)
  StepBreakdown breakdown;
  int busiest_rank = 0;
  double peak_memory_bytes = 0.0;  // worst rank
  double memory_capacity_bytes = 0.0;  // HBM per GPU, what peak_memory_bytes must fit in
  bool memory_fits = true;
  std::string memory_message;
  PipelinePlan plan;
  PipelineCosts costs;
  PipelineResult pipeline;
  std::vector<StageWork> stages;
  double p2p_s = 0.0;             // one activation transfer between neighbouring stages
  double compute_slowdown = 1.0;  // computation time factor inside overlapped F&B pairs
  // Over the step, on the busiest pipeline rank: seconds the busiest link of each tier is busy
  // with the rank's collectives (exposed or hidden; TP / CP / EP per micro-batch, the DP sync
  // once), each collective's links as the flow model loads them when run alone. Closed-form
  // collectives add nothing (link_busy_complete is false then); pipeline p2p is not counted.
  TierBusy link_busy_s{};
  bool link_busy_complete = true;
  std::vector<std::string> notes;  // assumptions this estimate rests on
};

// What the per-operator account is asked for one micro-batch of `phase`.
AccountRequest account_request(const Scenario& s, const TrainingPhase& phase);

// A lower bound on the seconds per token of `phase`: its stages' computation (forward,
// backward with recomputation, weight gradients; timed, not simulated: no communication, no
// bubble, no slowdown from sharing SMs) spread evenly over the pipeline ranks. No step
// simulate_step gives is faster. Throws where simulate_step would.
double compute_seconds_per_token(const Scenario& s, const TrainingPhase& phase,
                                 const calibration::Profile& profile,
                                 const StepOptions& options = {});

// Simulates one step of `phase` with `global_batch` sequences (0: the phase's batch).
// Throws UserError for an impossible plan or a profile missing a kernel class it needs.
StepResult simulate_step(const Scenario& s, const TrainingPhase& phase,
                         const calibration::Profile& profile, std::int64_t global_batch = 0,
                         const StepOptions& options = {});

}  // namespace llmsim
