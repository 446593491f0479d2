#pragma once
// The eight-step rank program shared by DualPipe and DualPipeV, as the public reference
// implementation (deepseek-ai/DualPipe, DualPipe.step and DualPipeV.step) runs it; see
// scenarios/reference/dualpipe_schedule.md for the step-by-step description.

#include <vector>

#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim::schedule_detail {

struct DualPipeRankShape {
  int n = 0;  // DualPipe: pp/2; DualPipeV: pp
  int h = 0;  // DualPipe: min(r, pp-1-r); DualPipeV: r
  int c = 0;  // micro-batches per phase: DualPipe m/2; DualPipeV m
  bool unoverlapped_first_pair = false;  // the middle ranks (DualPipe), the last rank (V)
  MicroStage phase[2];  // phase p's (dir, stage) on this rank; mb is ignored
};

// Appends the rank's operations to `ops`. Deferred weight gradients run first in, first out.
void append_dualpipe_rank(const DualPipeRankShape& shape, std::vector<PipelineOp>& ops);

}  // namespace llmsim::schedule_detail
