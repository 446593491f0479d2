#pragma once
// Helpers shared by the schedule generators: the standard stage-to-rank layouts.

#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim::schedule_detail {

// One direction, `chunks` stages per rank, chunk c of rank r is stage c*pp + r
// (plain layout for chunks = 1, Megatron-LM's interleaved layout otherwise).
PipelinePlan linear_plan(ScheduleMethod method, int pp, int micro_batches, int chunks);

// One direction, 2*pp stages in a V: rank r holds stage r and stage 2*pp-1-r.
PipelinePlan v_plan(ScheduleMethod method, int pp, int micro_batches);

inline MicroStage ms(int mb, int stage, int dir = 0) {
  return MicroStage{mb, static_cast<std::int16_t>(stage), static_cast<std::int8_t>(dir)};
}

}  // namespace llmsim::schedule_detail
