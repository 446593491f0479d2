#pragma once
// PipelineExecutor: runs a PipelinePlan on the engine. An operation starts when its rank is
// free and its inputs have arrived: the activation from the previous stage for a forward,
// the gradient from the next stage for a backward (the last stage's backward needs its own
// forward), its own B for a W. A transfer between two ranks costs latency + bytes/bandwidth
// and starts when the producing operation ends; transfers between a rank and itself are free.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine.hpp"
#include "sim/pipeline/pipeline_plan.hpp"
#include "sim/sim_time.hpp"

namespace llmsim {

// Durations of one stage's work. bw defaults to b + w.
struct StageCost {
  SimTime f = SimTime::from_ns(1000);
  SimTime b = SimTime::from_ns(1000);
  SimTime w = SimTime::from_ns(1000);
  std::optional<SimTime> bw;
  SimTime full_backward() const { return bw ? *bw : b + w; }
};

struct PipelineCosts {
  // One entry per stage of the plan, or a single entry used for every stage.
  std::vector<StageCost> stages{StageCost{}};
  // Duration of an overlapped F&B. Default: F of its forward stage + BW of its backward stage.
  std::optional<SimTime> fb;
  // Per pair of stages, overriding fb: fb_pairs[forward_stage * stages + backward_stage], for
  // models that time each overlapped pair (the training step's two-stream overlap). Empty:
  // not used; otherwise fb_pair_stages^2 entries, fb_pair_stages = the plan's stages.
  std::vector<SimTime> fb_pairs;
  int fb_pair_stages = 0;
  SimTime p2p_latency = SimTime::zero();
  double p2p_bytes = 0.0;            // bytes per activation or gradient sent between stages
  double p2p_bytes_per_second = 0.0;  // 0: infinite bandwidth

  const StageCost& stage(int s) const { return stages.size() == 1 ? stages[0] : stages[s]; }
  SimTime duration(const PipelineOp& op) const;
  SimTime transfer_time() const;
};

struct OpTiming {
  SimTime start;
  SimTime end;
};

struct RankSummary {
  SimTime busy;            // sum of the rank's operation durations
  SimTime bubble;          // makespan - busy
  int peak_activations = 0;  // most stage activations held at once (F started, backward not done)
  // peak_activations in units of the activations of 1/pp of the model (one 1F1B stage): equal
  // to peak_activations except where stages are smaller (interleaved, ZB-V, DualPipeV).
  double peak_activation_memory = 0.0;
  double parameter_copies = 1.0;
};

struct PipelineResult {
  SimTime makespan;
  std::vector<RankSummary> ranks;
  std::vector<std::vector<OpTiming>> timing;  // timing[rank][i] for plan.ops[rank][i]
  std::uint64_t events = 0;
  SimTime max_bubble() const;
};

// The most stage activations a rank holds at once, following its order: +1 when a forward
// starts, -1 when the backward (B, BW, or the backward half of an FB) of that stage ends.
int peak_activations(const std::vector<PipelineOp>& ops);

// Runs the plan to completion on `engine` (which may carry observers) and returns the
// timings. Throws UserError if costs do not match the plan, InternalError if the plan
// deadlocks (an order that no execution can satisfy).
PipelineResult run_pipeline(const PipelinePlan& plan, const PipelineCosts& costs, Engine& engine);

// Convenience: a private engine, no observers.
PipelineResult run_pipeline(const PipelinePlan& plan, const PipelineCosts& costs);

}  // namespace llmsim
