#pragma once
// The tiny plan space of the plan-view tests: TP 1, 2 x PP 1, 2 (1F1B, ZB1P) x recompute
// selective, full x BF16, FP8; 24 candidates per GPU count.
#include "costmodel/plan/plan_space.hpp"

namespace llmsim::gui::test {

inline plan::PlanSpace tiny_space() {
  plan::PlanSpace sp;
  sp.tp = {1, 2};
  sp.pp = {1, 2};
  sp.vpp = {2};
  sp.ep = {1};
  sp.micro_batch_sizes = {1};
  sp.zero_stages = {1};
  sp.schedules = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P};
  sp.recompute = {RecomputePolicy::kSelective, RecomputePolicy::kFull};
  sp.precisions = {RecipeKind::kBF16, RecipeKind::kFP8DeepSeek};
  return sp;
}

}  // namespace llmsim::gui::test
