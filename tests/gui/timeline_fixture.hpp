#pragma once
// The small schedule the timeline tests draw: 1F1B, pp = 2, m = 2, F = 10, B = 12, W = 8 us,
// no transfer cost. Rank 1 runs F0 [10,20], BW0 [20,40], F1 [40,50], BW1 [50,70].
#include <vector>

#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui::test {

inline std::vector<ExperimentCase> small_1f1b() {
  ScheduleExperiment e;
  e.methods = {ScheduleMethod::k1F1B};
  e.pp = 2;
  e.micro_batches = 2;
  e.costs.f_us = {10};
  e.costs.b_us = {12};
  e.costs.w_us = {8};
  return run_experiment(e);
}

}  // namespace llmsim::gui::test
