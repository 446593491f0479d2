#pragma once
// Plan search, part 3 of 4: the evaluator. One candidate's scenario, estimated: every phase's
// step simulated at the phase's full batch (simulate_step: the pipeline on sim's engine, the
// collectives on the network model), its tokens at that step's rate. Unlike `llmsim run`, a
// batch ramp is costed at the full batch (one step per phase instead of nine): the search
// compares plans, and the ramp's share is the same for all of them.

#include <cstdint>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::plan {

struct Evaluation {
  double step_time_s = 0.0;  // first phase, one step at its full batch
  int micro_batches = 0;     // first phase, per pipeline
  double seconds = 0.0;      // wall-clock, all phases
  double gpu_hours = 0.0;
  double cost_usd = 0.0;
  double peak_memory_bytes = 0.0;  // worst rank of the worst phase
  double mfu_bf16 = 0.0;           // first phase, causal, against the dense BF16 peak
  StepBreakdown breakdown;         // first phase, busiest rank
  double days() const { return seconds / 86400.0; }
};

// Throws UserError where simulate_step does (a profile missing a kernel class). `collectives`,
// when given, shares collective times with the other candidates on the same cluster.
Evaluation evaluate_candidate(const Scenario& s, const calibration::Profile& profile,
                              CollectiveCache* collectives = nullptr);

}  // namespace llmsim::plan
