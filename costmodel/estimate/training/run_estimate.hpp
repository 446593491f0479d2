#pragma once
// The cost of a whole training run: every phase of the scenario (pre-training with its batch
// ramp, context extension, post-training where given), each step simulated by simulate_step,
// summed into GPU-hours, dollars and wall-clock days.
//
// The batch ramp (DeepSeek-V3 report s4.2: 3072 -> 15360 sequences over the first 469B tokens)
// is integrated piecewise: the ramp's tokens are split into kRampSegments equal parts, each
// simulated at the batch of its midpoint.

#include <string>
#include <vector>

#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/training/step_model.hpp"

namespace llmsim {

inline constexpr int kRampSegments = 8;

struct RampPoint {
  std::int64_t global_batch = 0;  // sequences per step, as simulated
  double tokens = 0.0;            // tokens trained at this batch
  double step_time_s = 0.0;
  double tokens_per_second = 0.0;
};

struct PhaseEstimate {
  std::string name;
  int gpus = 0;
  double tokens = 0.0;
  double steps = 0.0;
  double seconds = 0.0;  // wall-clock
  double gpu_hours = 0.0;
  double cost_usd = 0.0;
  StepResult step;  // one step at the phase's full batch
  std::vector<RampPoint> ramp;
};

struct RunEstimate {
  std::vector<PhaseEstimate> phases;
  double total_gpu_hours = 0.0;
  double total_cost_usd = 0.0;
  double wall_clock_days = 0.0;
  // The first phase's GPU-hours per 1e12 tokens (DeepSeek-V3 report Table 1 convention).
  double gpu_hours_per_trillion_tokens = 0.0;
  std::vector<std::string> notes;
};

// Loads the scenario's calibration profile; UserError naming the scenario if it has none.
calibration::Profile scenario_profile(const Scenario& s);

RunEstimate estimate_run(const Scenario& s, const calibration::Profile& profile,
                         const StepOptions& options = {});

}  // namespace llmsim
