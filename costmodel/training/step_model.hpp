#pragma once
// The training step, simulated: every pipeline stage's forward, input-gradient and
// weight-gradient work is built from the per-operator account (costmodel/operator_account),
// each compute operator timed by the calibrated kernel model (calibration::Profile) and each
// collective and all-to-all by the network model (sim/collectives); the pipeline schedule
// runs every stage and micro-batch of one pipeline on the engine (data-parallel replicas are
// identical and simulated once); the step ends with the data-parallel gradient reduction
// (ZeRO as configured) and the optimizer.
//
// Overlap. Within one chunk, compute and communication alternate on the critical path
// (a layer's experts wait for its dispatch). DualPipe's overlapped F&B pairs run one
// micro-batch's computation against the other's communication on two streams (DeepSeek-V3
// report Figure 4), list-scheduled segment by segment; while they overlap, the
// communication kernels hold `comm_sms` of the GPU's SMs (20 of 132 in DeepSeek-V3, report
// s3.2.2), so concurrent computation runs at (sm_count - comm_sms) / sm_count of its speed.

#include <string>
#include <vector>

#include "costmodel/calibration/profile.hpp"
#include "costmodel/memory.hpp"
#include "costmodel/scenario.hpp"
#include "sim/pipeline_executor.hpp"
#include "sim/pipeline_plan.hpp"

namespace llmsim {

// One piece of a chunk's pass: computation on the SMs, or communication.
struct Segment {
  std::string name;  // "L12 attn", "L12 dispatch", ...
  bool comm = false;
  double seconds = 0.0;
};

// What one pipeline stage (model chunk) does for one micro-batch.
struct StageWork {
  int first_layer = 0;
  int layers = 0;
  std::vector<Segment> forward;   // in execution order
  std::vector<Segment> backward;  // input-gradient pass (with recomputation), in order
  double wgrad_s = 0.0;           // weight gradients, computation only
  Segment wgrad_segment;          // the same as one compute segment
  double forward_s() const;
  double backward_s() const;
  double forward_compute_s() const;
  double backward_compute_s() const;
};

struct StepOptions {
  int comm_sms = 20;  // SMs the all-to-all kernels reserve while overlapped (V3 report s3.2.2)
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
  StepBreakdown breakdown;
  int busiest_rank = 0;
  double peak_memory_bytes = 0.0;  // worst rank
  bool memory_fits = true;
  std::string memory_message;
  PipelinePlan plan;
  PipelineCosts costs;
  PipelineResult pipeline;
  std::vector<StageWork> stages;
  double p2p_s = 0.0;             // one activation transfer between neighbouring stages
  double compute_slowdown = 1.0;  // computation time factor inside overlapped F&B pairs
  std::vector<std::string> notes;  // assumptions this estimate rests on
};

// Simulates one step of `phase` with `global_batch` sequences (0: the phase's batch).
// Throws UserError for an impossible plan or a profile missing a kernel class it needs.
StepResult simulate_step(const Scenario& s, const TrainingPhase& phase,
                         const calibration::Profile& profile, std::int64_t global_batch = 0,
                         const StepOptions& options = {});

// The two-stream schedule of an overlapped F&B: the forward chain of one micro-batch and the
// backward chain of another, each in order, compute segments (scaled by `compute_slowdown`)
// on one stream and communication segments on the other, list-scheduled greedily.
struct PairSchedule {
  struct Placed {
    const Segment* segment = nullptr;
    int chain = 0;  // 0: forward, 1: backward
    double start_s = 0.0;
    double end_s = 0.0;
  };
  std::vector<Placed> placed;
  double makespan_s = 0.0;
  double compute_s = 0.0;  // busy time of the compute stream
};
PairSchedule schedule_pair(const std::vector<Segment>& forward,
                           const std::vector<Segment>& backward, double compute_slowdown);

// The step on each rank's two streams: every compute and communication segment of every
// operation, placed in time (FB pairs as schedule_pair placed them). Sorted by start per rank.
struct StreamSpan {
  bool comm = false;
  double start_s = 0.0;
  double end_s = 0.0;
  OpKind kind = OpKind::F;  // the pipeline operation (F, B, W, BW; an FB's half as F or BW)
  MicroStage part;          // micro-batch, stage and direction of the segment's work
  const Segment* segment = nullptr;
};
std::vector<std::vector<StreamSpan>> step_streams(const StepResult& r);

// A Chrome trace of the step: one process per pipeline rank, a compute and a communication
// track each.
std::string step_trace_json(const StepResult& r);

}  // namespace llmsim
