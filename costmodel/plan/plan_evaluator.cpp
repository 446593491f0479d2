#include "costmodel/plan/plan_evaluator.hpp"

#include <algorithm>

namespace llmsim::plan {

Evaluation evaluate_candidate(const Scenario& s, const calibration::Profile& profile,
                              CollectiveCache* collectives) {
  Evaluation e;
  StepOptions options;
  options.collective_cache = collectives;
  const int gpus = s.cluster.gpus();
  for (const TrainingPhase& ph : s.phases) {
    const StepResult st = simulate_step(s, ph, profile, 0, options);
    if (&ph == &s.phases.front()) {
      e.step_time_s = st.step_time_s;
      e.micro_batches = st.micro_batches;
      e.mfu_bf16 = st.mfu_bf16_causal;
      e.breakdown = st.breakdown;
    }
    e.seconds += ph.tokens / st.tokens_per_second;
    e.peak_memory_bytes = std::max(e.peak_memory_bytes, st.peak_memory_bytes);
  }
  e.gpu_hours = e.seconds * gpus / 3600.0;
  e.cost_usd = e.gpu_hours * s.usd_per_gpu_hour;
  return e;
}

}  // namespace llmsim::plan
