#pragma once
// Where every compute and communication segment of a simulated step runs, per pipeline rank,
// on its compute and communication streams; and the overlapped F&B pair that places them for
// DualPipe (played on sim's event engine by run_overlapped).

#include <string>
#include <vector>

#include "costmodel/estimate/training/stage_work.hpp"
#include "sim/pipeline/overlap_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct StepResult;

// Stage f's forward on one chain, stage b's backward and weight gradient on the other;
// computation slowed by `compute_slowdown` (SMs shared with the communication kernels).
// Piece i of chain 1 is b.backward[i], the last one b.wgrad_segment.
OverlapResult run_fb_pair(const StageWork& f, const StageWork& b, double compute_slowdown);

struct StreamSpan {
  bool comm = false;
  double start_s = 0.0;  // whole nanoseconds, as the pipeline ran the operation
  double end_s = 0.0;
  OpKind kind = OpKind::F;  // the pipeline operation (F, B, W, BW; an FB's half as F or BW)
  MicroStage part;          // micro-batch, stage and direction of the segment's work
  const Segment* segment = nullptr;
};

// The step on each rank's two streams, sorted by start per rank.
std::vector<std::vector<StreamSpan>> step_streams(const StepResult& r);

// A Chrome trace of the step: one process per pipeline rank, a compute and a communication
// track each, and flow arrows between dependent slices: a communication slice to the
// computation that consumes it, a micro-batch's forward on stage s to its forward on s + 1,
// the last stage's forward to its backward, a backward on s + 1 to the backward on s.
std::string step_trace_json(const StepResult& r);

}  // namespace llmsim
